// The bash runtime, one string per src/shell/prelude/NAME.sh (without its leading comment
// block). Generated at build time by scripts/prelude-text.mjs into dist; prelude-text.test.ts
// checks that every .sh file has its export here.
export const PRELUDE_CORE: string;
export const PRELUDE_FILES: string;
export const PRELUDE_FIREWALL: string;
export const PRELUDE_RUN: string;
export const PRELUDE_SAFETY: string;
export const PRELUDE_SCRATCH: string;
export const PRELUDE_UNDO: string;
