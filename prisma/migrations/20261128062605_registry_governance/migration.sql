-- CreateEnum
CREATE TYPE "PolicySeverity" AS ENUM ('BLOCK', 'WARN');

-- AlterTable
ALTER TABLE "audit_event" ADD COLUMN     "hash" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "prev_hash" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "request_id" TEXT;

-- AlterTable
ALTER TABLE "model_version" ADD COLUMN     "description" TEXT,
ADD COLUMN     "fairness_metrics" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "parent_version_id" TEXT,
ADD COLUMN     "tags" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "policy" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "applies_to" "Stage" NOT NULL,
    "model_pattern" TEXT,
    "expression" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "severity" "PolicySeverity" NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "source" TEXT NOT NULL DEFAULT 'API',
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "policy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approval" (
    "id" TEXT NOT NULL,
    "model_version_id" TEXT NOT NULL,
    "to_stage" "Stage" NOT NULL,
    "actor" TEXT NOT NULL,
    "role" TEXT,
    "comment" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "approval_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "promotion" (
    "id" TEXT NOT NULL,
    "model_version_id" TEXT NOT NULL,
    "from_stage" "Stage" NOT NULL,
    "to_stage" "Stage" NOT NULL,
    "status" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "idempotency_key" TEXT,
    "request_hash" TEXT NOT NULL,
    "result" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "promotion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_subscription" (
    "id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT[],
    "secret" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_subscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_delivery" (
    "id" TEXT NOT NULL,
    "subscription_id" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_status_code" INTEGER,
    "last_error" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMP(3),

    CONSTRAINT "webhook_delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_chain_head" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "hash" TEXT NOT NULL DEFAULT '',
    "prev_hash" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "audit_chain_head_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "policy_name_version_key" ON "policy"("name", "version");

-- CreateIndex
CREATE INDEX "approval_model_version_id_to_stage_idx" ON "approval"("model_version_id", "to_stage");

-- CreateIndex
CREATE UNIQUE INDEX "promotion_idempotency_key_key" ON "promotion"("idempotency_key");

-- CreateIndex
CREATE INDEX "promotion_model_version_id_created_at_idx" ON "promotion"("model_version_id", "created_at");

-- CreateIndex
CREATE INDEX "webhook_delivery_subscription_id_created_at_idx" ON "webhook_delivery"("subscription_id", "created_at");

-- CreateIndex
CREATE INDEX "audit_event_action_at_idx" ON "audit_event"("action", "at");

-- CreateIndex
CREATE INDEX "model_version_model_id_stage_idx" ON "model_version"("model_id", "stage");

-- CreateIndex
CREATE INDEX "model_version_tags_idx" ON "model_version" USING GIN ("tags");

-- AddForeignKey
ALTER TABLE "model_version" ADD CONSTRAINT "model_version_parent_version_id_fkey" FOREIGN KEY ("parent_version_id") REFERENCES "model_version"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval" ADD CONSTRAINT "approval_model_version_id_fkey" FOREIGN KEY ("model_version_id") REFERENCES "model_version"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "promotion" ADD CONSTRAINT "promotion_model_version_id_fkey" FOREIGN KEY ("model_version_id") REFERENCES "model_version"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_delivery" ADD CONSTRAINT "webhook_delivery_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "webhook_subscription"("id") ON DELETE CASCADE ON UPDATE CASCADE;
