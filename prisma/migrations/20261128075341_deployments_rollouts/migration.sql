-- AlterTable
ALTER TABLE "deployment" ADD COLUMN     "created_by" TEXT,
ADD COLUMN     "entity_key_field" TEXT,
ADD COLUMN     "feature_view" TEXT,
ADD COLUMN     "model_server_url" TEXT,
ADD COLUMN     "retired_at" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "endpoint" ADD COLUMN     "description" TEXT,
ADD COLUMN     "owner" TEXT,
ADD COLUMN     "stable_deployment_id" TEXT,
ADD COLUMN     "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateTable
CREATE TABLE "traffic_change" (
    "id" BIGSERIAL NOT NULL,
    "endpoint_id" TEXT NOT NULL,
    "live" JSONB NOT NULL,
    "shadow" JSONB NOT NULL,
    "reason" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "rollout_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "traffic_change_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rollout" (
    "id" TEXT NOT NULL,
    "endpoint_id" TEXT NOT NULL,
    "deployment_id" TEXT NOT NULL,
    "baseline_deployment_id" TEXT,
    "strategy" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "steps" INTEGER[],
    "step_index" INTEGER NOT NULL DEFAULT 0,
    "bake_seconds" INTEGER NOT NULL,
    "max_error_rate" DOUBLE PRECISION,
    "max_latency_p99_ms" DOUBLE PRECISION,
    "min_requests" INTEGER NOT NULL DEFAULT 0,
    "last_analysis" JSONB,
    "reason" TEXT,
    "created_by" TEXT NOT NULL,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "step_started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "rollout_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "endpoint_deploy_rule" (
    "endpoint_id" TEXT NOT NULL,
    "model_name" TEXT NOT NULL,
    "model_provider" TEXT NOT NULL,
    "strategy" TEXT NOT NULL,
    "model_server_url" TEXT,
    "canary_steps" INTEGER[],
    "bake_seconds" INTEGER NOT NULL DEFAULT 300,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "endpoint_deploy_rule_pkey" PRIMARY KEY ("endpoint_id")
);

-- CreateIndex
CREATE INDEX "traffic_change_endpoint_id_id_idx" ON "traffic_change"("endpoint_id", "id");

-- CreateIndex
CREATE INDEX "rollout_endpoint_id_started_at_idx" ON "rollout"("endpoint_id", "started_at");

-- CreateIndex
CREATE INDEX "rollout_status_idx" ON "rollout"("status");

-- CreateIndex
CREATE INDEX "endpoint_deploy_rule_model_provider_model_name_idx" ON "endpoint_deploy_rule"("model_provider", "model_name");

-- AddForeignKey
ALTER TABLE "traffic_change" ADD CONSTRAINT "traffic_change_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "endpoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout" ADD CONSTRAINT "rollout_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "endpoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout" ADD CONSTRAINT "rollout_deployment_id_fkey" FOREIGN KEY ("deployment_id") REFERENCES "deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "endpoint_deploy_rule" ADD CONSTRAINT "endpoint_deploy_rule_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "endpoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;
