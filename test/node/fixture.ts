// The node app in-process for HTTP tests through app.request(): the shared
// test app of test/support/app.ts, without registering the participant (these
// tests do not anchor).
import { startTestApp, type TestApp } from '../support/app';

export { ADMIN_PASSWORD, readProblem, STAFF_PASSWORD } from '../support/app';

export type ApiFixture = TestApp;

export function startApiFixture(): Promise<ApiFixture> {
  return startTestApp({ register: false });
}
