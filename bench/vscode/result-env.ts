/** Where the bench's VS Code suite writes its figures for the launcher (bench/cases/vscode-activation.ts). */
export const RESULT_ENV = 'MODEL_PREVIEW_BENCH_RESULT';
