-- CreateIndex
CREATE INDEX "traffic_change_status_idx" ON "traffic_change"("status");
