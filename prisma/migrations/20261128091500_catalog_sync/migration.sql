-- AlterTable
ALTER TABLE "dataset" ADD COLUMN     "last_seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "removed_at" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "endpoint" ADD COLUMN     "removed_at" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "feature_view" ADD COLUMN     "removed_at" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "model_version" ADD COLUMN     "removed_at" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "provider" ADD COLUMN     "sync_lease_until" TIMESTAMP(3),
ADD COLUMN     "sync_run_id" TEXT;

-- AlterTable
ALTER TABLE "registered_model" ADD COLUMN     "removed_at" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "sync_run" (
    "id" TEXT NOT NULL,
    "provider_name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "trigger" TEXT NOT NULL,
    "full" BOOLEAN NOT NULL DEFAULT false,
    "requested_by" TEXT,
    "created" INTEGER NOT NULL DEFAULT 0,
    "updated" INTEGER NOT NULL DEFAULT 0,
    "deleted" INTEGER NOT NULL DEFAULT 0,
    "unchanged" INTEGER NOT NULL DEFAULT 0,
    "pages" INTEGER NOT NULL DEFAULT 0,
    "progress" JSONB NOT NULL DEFAULT '{}',
    "error" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "sync_run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "synced_asset" (
    "provider_name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "native_id" TEXT NOT NULL,
    "global_id" TEXT NOT NULL,
    "change_token" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL DEFAULT '',
    "last_run_id" TEXT NOT NULL,
    "seen_at" TIMESTAMP(3) NOT NULL,
    "gone_at" TIMESTAMP(3),

    CONSTRAINT "synced_asset_pkey" PRIMARY KEY ("provider_name","kind","native_id")
);

-- CreateIndex
CREATE INDEX "sync_run_provider_name_created_at_idx" ON "sync_run"("provider_name", "created_at");

-- CreateIndex
CREATE INDEX "sync_run_provider_name_status_idx" ON "sync_run"("provider_name", "status");

-- CreateIndex
CREATE INDEX "synced_asset_provider_name_kind_last_run_id_idx" ON "synced_asset"("provider_name", "kind", "last_run_id");
