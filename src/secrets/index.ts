export { loadDotEnv, isTrackedByGit } from './dotenv.js';
export { Redactor, MASK, base64Forms, type RedactorOptions } from './redactor.js';
