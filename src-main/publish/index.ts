/** The publish stage's public surface: targets, the credential vault, the service. */
export {
  checkUrl,
  isLocalHost,
  parsePublishConfig,
  parseTarget,
  parseTargetSpec,
  secretEnvName,
  secretFromEnv,
  targetSecretName,
  TargetError,
  type FolderTarget,
  type PublishConfig,
  type PublishTarget,
  type PublishTargetInput,
  type S3Target,
  type TargetKind,
  type TargetSpec,
  type WebhookTarget,
} from './targets';
export {
  CredentialVault,
  KEY_ENV,
  KEY_FILE,
  VaultError,
  type SafeStorageLike,
  type VaultBackend,
  type VaultOptions,
} from './vault';
export {
  PUBLISH_KIND,
  PublishService,
  type Publication,
  type PublicationState,
  type PublishableClip,
  type PublishServiceDeps,
} from './service';
export { PUBLISH_SQL, PUBLISH_SCHEMA_VERSION } from './schema';
export { S3Client, S3Error, uploadFile, type MultipartState, type UploadFileOptions } from './s3';
export { signatureHeader, verifySignature, SIGNATURE_HEADER } from './webhook';
