-- AlterTable
ALTER TABLE "deployment" ADD COLUMN     "promotion_id" TEXT;

-- AlterTable
ALTER TABLE "endpoint_deploy_rule" ADD COLUMN     "max_error_rate" DOUBLE PRECISION,
ADD COLUMN     "max_latency_p99_ms" DOUBLE PRECISION,
ADD COLUMN     "min_requests" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "rollout" ADD COLUMN     "next_check_at" TIMESTAMP(3);

-- CreateIndex
CREATE UNIQUE INDEX "deployment_endpoint_id_promotion_id_key" ON "deployment"("endpoint_id", "promotion_id");
