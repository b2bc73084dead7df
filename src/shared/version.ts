/** The program's version, reported by `model-preview --version` and `GET /v2`. Keep equal to package.json's. */
export const MODEL_PREVIEW_VERSION = '0.1.0';
