import { UpdateModelPackageCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { Transaction } from '../../platform/database.ts';
import { NotFoundError, NotSupportedError } from '../../platform/errors.ts';
import type { ModelRegistryProvider, VersionRef } from '../core/model-registry.ts';
import type { Stage } from '../core/domain.ts';
import { callSageMaker } from './client.ts';
import { isModelPackageArn, sageMakerStageOf } from './mapping.ts';

/**
 * SageMaker Model Registry: model package groups are Cairn's registered models, their versioned
 * model packages its versions. A stage change is written to SageMaker first (UpdateModelPackage:
 * ModelApprovalStatus and ModelLifeCycle), and to the catalog only once SageMaker accepted it.
 */
export class SageMakerModelRegistryProvider implements ModelRegistryProvider {
  constructor(
    readonly providerName: string,
    private readonly client: SageMakerClient,
  ) {}

  /** Versions enter Cairn from SageMaker by sync (a pipeline's RegisterModel step), never the other way. */
  async registerVersion(): Promise<{ nativeId: string }> {
    throw new NotSupportedError(this.providerName, 'registerModelVersion (model packages are registered in SageMaker and synced)');
  }

  async transitionStage(tx: Transaction, version: VersionRef, stage: Stage): Promise<void> {
    // Anything but a model package ARN is unknown to SageMaker: answered without a call.
    if (!isModelPackageArn(version.nativeId)) throw new NotFoundError('ModelVersion', version.id);
    const target = sageMakerStageOf(stage);
    await callSageMaker(
      this.providerName,
      'UpdateModelPackage',
      () =>
        this.client.send(
          new UpdateModelPackageCommand({
            ModelPackageArn: version.nativeId,
            ModelApprovalStatus: target.ModelApprovalStatus,
            ModelLifeCycle: { ...target.ModelLifeCycle, StageDescription: `set by Cairn: ${stage}` },
            ApprovalDescription: `Cairn promotion to ${stage}`,
          }),
        ),
      { kind: 'ModelVersion', id: version.id },
    );
    // SageMaker accepted: the catalog follows in the caller's transaction (with its audit event).
    await tx.modelVersion.updateMany({ where: { id: version.id }, data: { stage } });
  }
}
