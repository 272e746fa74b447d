// Route guard: authenticates the bearer token and checks the user holds one of
// the roles (take them from ACCESS in ./roles, the one role matrix).
import type { MiddlewareHandler } from 'hono';
import type { AppEnv, Role } from '../http/env';
import { problems } from '../http/problem';

export function requireRole(...roles: readonly Role[]): MiddlewareHandler<AppEnv> {
  if (roles.length === 0) throw new Error('requireRole needs at least one role');
  return async (c, next) => {
    const user = await c.get('auth').authenticate(c.req.header('authorization'));
    if (!user.roles.some((role) => roles.includes(role))) {
      throw problems.forbidden(`this needs one of the roles ${roles.join(', ')}; ${user.username} has ${user.roles.join(', ') || 'none'}`, {
        requiredRoles: roles,
      });
    }
    c.set('user', user);
    await next();
  };
}
