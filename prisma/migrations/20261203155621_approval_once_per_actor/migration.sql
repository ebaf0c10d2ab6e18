-- Approvals stored twice by one person (concurrent requests raced past the check before this
-- index existed) would count twice toward a policy: keep each person's first one.
DELETE FROM "approval" AS a
USING "approval" AS b
WHERE a."model_version_id" = b."model_version_id"
  AND a."to_stage" = b."to_stage"
  AND a."actor" = b."actor"
  AND (a."created_at", a."id") > (b."created_at", b."id");

-- DropIndex
DROP INDEX "approval_model_version_id_to_stage_idx";

-- CreateIndex
CREATE UNIQUE INDEX "approval_model_version_id_to_stage_actor_key" ON "approval"("model_version_id", "to_stage", "actor");
