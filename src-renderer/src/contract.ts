/**
 * The renderer's only door to code outside src-renderer: the environment-neutral API contract.
 * Everything in the renderer imports contract types and helpers from here.
 */
export * from '../../src-main/api/contract';
