/** Branded intro/outro templates: format, cache (prepare once, compose per product), clip join. */
export {
  builtInTemplate,
  BUILTIN_ASSETS,
  CORNERS,
  type Corner,
  type LoadedTemplate,
  loadTemplate,
  parseTemplate,
  type Template,
  templateByName,
  TemplateError,
  templateSchema,
} from './schema';
export {
  CACHE_FORMAT,
  type CallOptions,
  type ComposedTemplate,
  type PreparedCard,
  type PreparedTemplate,
  type Product,
  ProductError,
  TemplateCache,
  type TemplateCacheOptions,
  type Watermark,
} from './cache';
export {
  composeClip,
  type ComposeClipOptions,
  type ComposeClipResult,
  ConcatMismatchError,
  concatMismatches,
} from './concat';
export { benchCompose, type ComposeBench } from './bench';
