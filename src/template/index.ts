export { renderValue, renderString, renderTemplateFile, resolveVars, overlay, UNRESOLVED_VARS } from './render.js';
export { compileCondition, type Condition } from './condition.js';
export { createTemplateContext, type TemplateContext, type SecretSink } from './context.js';
export { getPassword, secretsDir } from './password.js';
export { helperNames } from './engine.js';
