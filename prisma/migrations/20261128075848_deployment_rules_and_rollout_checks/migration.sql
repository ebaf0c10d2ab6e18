-- AlterTable
ALTER TABLE "deployment" ADD COLUMN     "promotion_id" TEXT;

-- AlterTable
ALTER TABLE "rollout" ADD COLUMN     "next_check_at" TIMESTAMP(3);

-- CreateIndex
CREATE UNIQUE INDEX "deployment_endpoint_id_promotion_id_key" ON "deployment"("endpoint_id", "promotion_id");
