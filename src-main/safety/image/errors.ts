/** Why an image check could not run: one kind per cause, and a message that says what to do. */
export type ImageCheckErrorKind =
  /** The clip does not exist or cannot be read. */
  | 'not_found'
  /** ffmpeg cannot read the file as media. */
  | 'not_media'
  /** The file has no video stream to look at. */
  | 'no_video'
  /** ffmpeg ran but returned no picture at a sample time. */
  | 'no_frame'
  | 'ffmpeg_missing'
  | 'model_missing'
  | 'model_corrupt'
  /** The inference worker failed or stopped. */
  | 'worker'
  | 'timeout'
  /** The checker was closed. */
  | 'closed';

export class ImageCheckError extends Error {
  readonly kind: ImageCheckErrorKind;

  constructor(kind: ImageCheckErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImageCheckError';
    this.kind = kind;
  }
}

/** The error an aborted check rejects with: the signal's reason when it is an Error. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('the image check was cancelled');
  err.name = 'AbortError';
  return err;
}
