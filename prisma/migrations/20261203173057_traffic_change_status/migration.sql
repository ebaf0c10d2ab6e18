-- AlterTable
ALTER TABLE "traffic_change" ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'APPLIED';
