import {
  DescribeModelPackageCommand,
  UpdateModelPackageCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { NotFoundError, NotSupportedError } from '../../platform/errors.ts';
import type { ModelRegistryProvider, VersionRef } from '../core/model-registry.ts';
import type { Stage } from '../core/domain.ts';
import { callSageMaker } from './client.ts';
import { isModelPackageArn, sageMakerStageOf, stageFromSageMaker } from './mapping.ts';

/**
 * SageMaker Model Registry: model package groups are Cairn's registered models, their versioned
 * model packages its versions. A stage change is written to SageMaker first (UpdateModelPackage:
 * ModelApprovalStatus and ModelLifeCycle); the promotion service records it in the catalog once
 * SageMaker accepted it.
 */
export class SageMakerModelRegistryProvider implements ModelRegistryProvider {
  constructor(
    readonly providerName: string,
    private readonly client: SageMakerClient,
  ) {}

  /** Versions enter Cairn from SageMaker by sync (a pipeline's RegisterModel step), never the other way. */
  async registerVersion(): Promise<{ nativeId: string }> {
    throw new NotSupportedError(
      this.providerName,
      'registerModelVersion (model packages are registered in SageMaker and synced)',
    );
  }

  async transitionStage(version: VersionRef, stage: Stage): Promise<void> {
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
  }

  /** The package's stage as the catalog sync reads it (approval status and ModelLifeCycle). */
  async stageOf(version: VersionRef): Promise<Stage | null> {
    if (!isModelPackageArn(version.nativeId)) return null;
    try {
      const found = await callSageMaker(
        this.providerName,
        'DescribeModelPackage',
        () => this.client.send(new DescribeModelPackageCommand({ ModelPackageName: version.nativeId })),
        {
          kind: 'ModelVersion',
          id: version.id,
        },
      );
      return stageFromSageMaker(found.ModelApprovalStatus, found.ModelLifeCycle?.Stage);
    } catch (error) {
      if ((error as { code?: string }).code === 'NOT_FOUND') return null;
      throw error;
    }
  }
}
