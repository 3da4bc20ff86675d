/**
 * What templates may need from the run besides variables: where the project lives (for
 * generated credentials), the .env values (which win over generated ones) and where to
 * register new secrets so they are redacted. Created by the caller (the CLI/planner) and
 * passed in explicitly: no module-level state.
 */
export interface SecretSink {
  add(secret: string): void;
}

export interface TemplateContext {
  /** Project root: generated credentials live in <projectDir>/.chom/secrets/. */
  projectDir: string;
  /** Values loaded from .env (also exposed to templates as env.NAME by the planner). */
  env: Readonly<Record<string, string>>;
  /** Every generated or .env-provided credential is registered here for redaction. */
  secrets: SecretSink;
  /** Values generated/read during this run, so every host of the run sees the same one. */
  cache: Map<string, string>;
}

export function createTemplateContext(projectDir: string, env: Readonly<Record<string, string>>, secrets: SecretSink): TemplateContext {
  return { projectDir, env, secrets, cache: new Map() };
}
