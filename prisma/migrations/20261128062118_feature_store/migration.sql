-- AlterTable
ALTER TABLE "dataset" ADD COLUMN     "created_by" TEXT,
ADD COLUMN     "rows_ref" TEXT;

-- AlterTable
ALTER TABLE "feature" ADD COLUMN     "checked_at" TIMESTAMP(3),
ADD COLUMN     "checks" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "dataset_feature" (
    "dataset_id" TEXT NOT NULL,
    "feature_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "dataset_feature_pkey" PRIMARY KEY ("dataset_id","feature_id")
);

-- CreateTable
CREATE TABLE "offline_feature_row" (
    "feature_view" TEXT NOT NULL,
    "entity_key" TEXT NOT NULL,
    "event_time" TIMESTAMPTZ(3) NOT NULL,
    "values" JSONB NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "ingested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "offline_feature_row_pkey" PRIMARY KEY ("feature_view","entity_key","event_time")
);

-- CreateTable
CREATE TABLE "dataset_row" (
    "dataset_id" TEXT NOT NULL,
    "ordinal" INTEGER NOT NULL,
    "entity_key" TEXT NOT NULL,
    "event_time" TIMESTAMPTZ(3) NOT NULL,
    "values" JSONB NOT NULL,

    CONSTRAINT "dataset_row_pkey" PRIMARY KEY ("dataset_id","ordinal")
);

-- CreateTable
CREATE TABLE "materialization_run" (
    "id" TEXT NOT NULL,
    "feature_view_id" TEXT NOT NULL,
    "feature_view" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "end_time" TIMESTAMP(3) NOT NULL,
    "from_seq" BIGINT,
    "from_end_time" TIMESTAMP(3),
    "to_seq" BIGINT,
    "rows_written" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "requested_by" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "materialization_run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "materialization_watermark" (
    "feature_view" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "end_time" TIMESTAMP(3) NOT NULL,
    "run_id" TEXT NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "materialization_watermark_pkey" PRIMARY KEY ("feature_view")
);

-- CreateTable
CREATE TABLE "feature_check_result" (
    "id" BIGSERIAL NOT NULL,
    "feature_id" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "passed" BOOLEAN NOT NULL,
    "results" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "feature_check_result_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "dataset_feature_feature_id_idx" ON "dataset_feature"("feature_id");

-- CreateIndex
CREATE INDEX "materialization_run_feature_view_created_at_idx" ON "materialization_run"("feature_view", "created_at");

-- CreateIndex
CREATE INDEX "feature_check_result_feature_id_created_at_idx" ON "feature_check_result"("feature_id", "created_at");

-- AddForeignKey
ALTER TABLE "dataset_feature" ADD CONSTRAINT "dataset_feature_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dataset_feature" ADD CONSTRAINT "dataset_feature_feature_id_fkey" FOREIGN KEY ("feature_id") REFERENCES "feature"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "feature_check_result" ADD CONSTRAINT "feature_check_result_feature_id_fkey" FOREIGN KEY ("feature_id") REFERENCES "feature"("id") ON DELETE CASCADE ON UPDATE CASCADE;
