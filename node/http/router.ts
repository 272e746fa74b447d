// A feature's sub-app: an OpenAPIHono whose validation failures are problem+json.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './env';
import { validationHook } from './errors';

export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

/** The bearer security requirement of a protected route, for the OpenAPI document. */
export const bearerAuth = [{ bearerAuth: [] }];
