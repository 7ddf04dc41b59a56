/** Session media served to the UI: path containment, Range parsing, and the response. */
export { checkRequestPath, isInside, type MediaResolution, resolveMediaPath } from './resolve';
export { type ByteRange, parseRange } from './range';
export {
  contentTypeFor,
  type MediaResponse,
  openMedia,
  sendMediaResponse,
  toWebResponse,
} from './serve';
