export { loadDotEnv, isTrackedByGit } from './dotenv.js';
export { Redactor, MASK } from './redactor.js';
