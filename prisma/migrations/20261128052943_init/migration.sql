-- CreateEnum
CREATE TYPE "ProviderKind" AS ENUM ('BUILTIN', 'SAGEMAKER', 'VERTEX_AI', 'AZURE_ML');

-- CreateEnum
CREATE TYPE "Stage" AS ENUM ('NONE', 'STAGING', 'PRODUCTION', 'ARCHIVED');

-- CreateEnum
CREATE TYPE "FeatureQuality" AS ENUM ('UNKNOWN', 'VALIDATED', 'FAILING');

-- CreateTable
CREATE TABLE "provider" (
    "name" TEXT NOT NULL,
    "kind" "ProviderKind" NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'OK',
    "last_sync_at" TIMESTAMP(3),
    "last_error" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "provider_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "feature_view" (
    "id" TEXT NOT NULL,
    "provider_name" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "entity" TEXT NOT NULL,
    "join_key" TEXT NOT NULL,
    "ttl_seconds" INTEGER,
    "owner" TEXT,
    "description" TEXT,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "definition_hash" TEXT NOT NULL,
    "native_id" TEXT NOT NULL,
    "last_seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "feature_view_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "feature" (
    "id" TEXT NOT NULL,
    "feature_view_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "dtype" TEXT NOT NULL,
    "description" TEXT,
    "position" INTEGER NOT NULL,
    "quality" "FeatureQuality" NOT NULL DEFAULT 'UNKNOWN',
    "last_checks" JSONB,

    CONSTRAINT "feature_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "feature_incident" (
    "id" TEXT NOT NULL,
    "feature_id" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'OPEN',
    "reported_by" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMP(3),

    CONSTRAINT "feature_incident_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dataset" (
    "id" TEXT NOT NULL,
    "provider_name" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "content_hash" TEXT NOT NULL,
    "row_count" INTEGER NOT NULL,
    "spec" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dataset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "registered_model" (
    "id" TEXT NOT NULL,
    "provider_name" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "native_id" TEXT NOT NULL,
    "description" TEXT,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "last_seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "registered_model_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_version" (
    "id" TEXT NOT NULL,
    "model_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "stage" "Stage" NOT NULL DEFAULT 'NONE',
    "aliases" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "artifact_uri" TEXT,
    "image_uri" TEXT,
    "git_commit" TEXT,
    "params" JSONB NOT NULL DEFAULT '{}',
    "metrics" JSONB NOT NULL DEFAULT '{}',
    "training_dataset_id" TEXT,
    "native_id" TEXT NOT NULL,
    "created_by" TEXT,
    "last_seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "model_version_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_version_feature" (
    "model_version_id" TEXT NOT NULL,
    "feature_id" TEXT NOT NULL,

    CONSTRAINT "model_version_feature_pkey" PRIMARY KEY ("model_version_id","feature_id")
);

-- CreateTable
CREATE TABLE "endpoint" (
    "id" TEXT NOT NULL,
    "provider_name" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "native_id" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'CREATING',
    "last_seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "endpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deployment" (
    "id" TEXT NOT NULL,
    "endpoint_id" TEXT NOT NULL,
    "model_version_id" TEXT NOT NULL,
    "strategy" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "traffic_percent" INTEGER NOT NULL DEFAULT 0,
    "shadow_percent" INTEGER NOT NULL DEFAULT 0,
    "native_id" TEXT NOT NULL,
    "last_seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deployment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lineage_edge" (
    "id" BIGSERIAL NOT NULL,
    "from_id" TEXT NOT NULL,
    "from_kind" TEXT NOT NULL,
    "to_id" TEXT NOT NULL,
    "to_kind" TEXT NOT NULL,
    "relation" TEXT NOT NULL,
    "provider_name" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'DECLARED',
    "valid_from" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "valid_to" TIMESTAMP(3),

    CONSTRAINT "lineage_edge_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_event" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subject_id" TEXT NOT NULL,
    "outcome" TEXT NOT NULL DEFAULT 'APPLIED',
    "payload" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "feature_view_provider_name_name_version_key" ON "feature_view"("provider_name", "name", "version");

-- CreateIndex
CREATE UNIQUE INDEX "feature_feature_view_id_name_key" ON "feature"("feature_view_id", "name");

-- CreateIndex
CREATE INDEX "feature_incident_feature_id_status_idx" ON "feature_incident"("feature_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "dataset_provider_name_name_version_key" ON "dataset"("provider_name", "name", "version");

-- CreateIndex
CREATE INDEX "registered_model_name_idx" ON "registered_model"("name");

-- CreateIndex
CREATE UNIQUE INDEX "registered_model_provider_name_name_key" ON "registered_model"("provider_name", "name");

-- CreateIndex
CREATE INDEX "model_version_training_dataset_id_idx" ON "model_version"("training_dataset_id");

-- CreateIndex
CREATE UNIQUE INDEX "model_version_model_id_version_key" ON "model_version"("model_id", "version");

-- CreateIndex
CREATE INDEX "model_version_feature_feature_id_idx" ON "model_version_feature"("feature_id");

-- CreateIndex
CREATE UNIQUE INDEX "endpoint_provider_name_name_key" ON "endpoint"("provider_name", "name");

-- CreateIndex
CREATE INDEX "deployment_endpoint_id_idx" ON "deployment"("endpoint_id");

-- CreateIndex
CREATE INDEX "deployment_model_version_id_idx" ON "deployment"("model_version_id");

-- CreateIndex
CREATE INDEX "lineage_edge_from_id_relation_idx" ON "lineage_edge"("from_id", "relation");

-- CreateIndex
CREATE INDEX "lineage_edge_to_id_relation_idx" ON "lineage_edge"("to_id", "relation");

-- CreateIndex
CREATE INDEX "audit_event_subject_id_idx" ON "audit_event"("subject_id");

-- AddForeignKey
ALTER TABLE "feature_view" ADD CONSTRAINT "feature_view_provider_name_fkey" FOREIGN KEY ("provider_name") REFERENCES "provider"("name") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "feature" ADD CONSTRAINT "feature_feature_view_id_fkey" FOREIGN KEY ("feature_view_id") REFERENCES "feature_view"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "feature_incident" ADD CONSTRAINT "feature_incident_feature_id_fkey" FOREIGN KEY ("feature_id") REFERENCES "feature"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dataset" ADD CONSTRAINT "dataset_provider_name_fkey" FOREIGN KEY ("provider_name") REFERENCES "provider"("name") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "registered_model" ADD CONSTRAINT "registered_model_provider_name_fkey" FOREIGN KEY ("provider_name") REFERENCES "provider"("name") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_version" ADD CONSTRAINT "model_version_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "registered_model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_version" ADD CONSTRAINT "model_version_training_dataset_id_fkey" FOREIGN KEY ("training_dataset_id") REFERENCES "dataset"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_version_feature" ADD CONSTRAINT "model_version_feature_model_version_id_fkey" FOREIGN KEY ("model_version_id") REFERENCES "model_version"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_version_feature" ADD CONSTRAINT "model_version_feature_feature_id_fkey" FOREIGN KEY ("feature_id") REFERENCES "feature"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "endpoint" ADD CONSTRAINT "endpoint_provider_name_fkey" FOREIGN KEY ("provider_name") REFERENCES "provider"("name") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployment" ADD CONSTRAINT "deployment_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "endpoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployment" ADD CONSTRAINT "deployment_model_version_id_fkey" FOREIGN KEY ("model_version_id") REFERENCES "model_version"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
