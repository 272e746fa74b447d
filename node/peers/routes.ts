// Peer and participant routes: GET /peer/v1/whoami (another node checks its
// peer token gets through), the node's own registry entry, signing key
// rotation and endpoint change (admin: manageNetwork).
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { bearerAuth, createRouter } from '../http/router';
import { problemResponses, reasonSchema } from '../http/schemas';
import { performWrite } from '../http/writes';
import { ownPrefixes, rotateSigningKey, updateOwnEndpoint } from './participant';
import { peerAuth, requirePeer } from './requirePeer';

const thumbprintSchema = z.string().openapi({ description: 'RFC 7638 SHA-256 thumbprint of an Ed25519 public key, 0x hex', example: `0x${'ab'.repeat(32)}` });
const addressSchema = z.string().openapi({ description: 'participant address, lowercase 0x hex', example: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' });
const statusSchema = z.enum(['unknown', 'active', 'suspended', 'revoked']);

const Whoami = z
  .object({
    caller: z.object({
      address: addressSchema,
      name: z.string(),
      role: z.string(),
      gln: z.string(),
      status: statusSchema,
      keyThumbprint: thumbprintSchema,
    }),
    callee: z.object({ address: addressSchema, name: z.string(), chainId: z.number().int() }),
  })
  .openapi('PeerWhoami');

const Participant = z
  .object({
    address: addressSchema,
    chainId: z.number().int(),
    name: z.string().openapi({ description: 'the registry name (the configured name while not registered)' }),
    role: z.string(),
    gln: z.string(),
    status: statusSchema,
    invalidFromBatch: z.number().int(),
    endpoint: z.string().openapi({ description: 'the endpoint the registry holds (other nodes call it)' }),
    publicUrl: z.string().nullable().openapi({ description: 'PUBLIC_URL of this node' }),
    keyThumbprint: thumbprintSchema.openapi({ description: 'the thumbprint the registry holds' }),
    signingKey: z.object({
      thumbprint: thumbprintSchema,
      publicJwk: z.record(z.string(), z.unknown()),
      matchesRegistry: z.boolean(),
    }),
    gs1CompanyPrefixes: z.array(z.string()),
    chain: z.object({
      chainId: z.number().int(),
      registry: z.string(),
      anchorLog: z.string(),
      recallBoard: z.string(),
    }),
  })
  .openapi('Participant');

const KeyRotation = z
  .object({
    previousThumbprint: thumbprintSchema,
    thumbprint: thumbprintSchema,
    txHash: z.string(),
    blockNumber: z.number().int(),
  })
  .openapi('KeyRotation');

const EndpointBody = z
  .object({
    endpoint: z
      .string()
      .max(500)
      .refine((value) => {
        try {
          const url = new URL(value);
          return (url.protocol === 'https:' || url.protocol === 'http:') && !url.search && !url.hash && !url.username && !url.password;
        } catch {
          return false;
        }
      }, 'must be an absolute http(s) URL without query, fragment or credentials')
      .transform((value) => value.replace(/\/+$/, ''))
      .openapi({ type: 'string', format: 'uri', example: 'https://node.example-maker.com' }),
    reason: reasonSchema,
  })
  .openapi('EndpointChangeRequest');

const RotateBody = z.object({ reason: reasonSchema }).openapi('KeyRotationRequest');

const EndpointChange = z
  .object({ previousEndpoint: z.string(), endpoint: z.string(), txHash: z.string(), blockNumber: z.number().int() })
  .openapi('EndpointChange');

const whoami = (ctx: NodeContext) =>
  createRoute({
  method: 'get',
  path: '/peer/v1/whoami',
  tags: ['peer'],
  summary: 'Echoes the calling participant (as the registry knows it) and this node: a check that a peer token gets through',
  security: peerAuth,
  middleware: [requirePeer(ctx)] as const,
  responses: {
    200: { description: 'caller and callee', content: { 'application/json': { schema: Whoami } } },
    ...problemResponses(401, 403),
  },
});

const getParticipant = createRoute({
  method: 'get',
  path: '/api/v1/participant',
  tags: ['network'],
  summary: "This node's registry entry, endpoint, signing key thumbprint and chain",
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readNetwork)] as const,
  responses: {
    200: { description: 'the participant', content: { 'application/json': { schema: Participant } } },
    ...problemResponses(401, 403),
  },
});

const rotateKey = createRoute({
  method: 'post',
  path: '/api/v1/participant/rotate-key',
  tags: ['network'],
  summary: 'A new Ed25519 signing key: its thumbprint goes to the registry, then the node signs with it (the old key is kept as signing-key.previous.json)',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.manageNetwork)] as const,
  request: { body: { content: { 'application/json': { schema: RotateBody } }, required: false } },
  responses: {
    200: { description: 'rotated', content: { 'application/json': { schema: KeyRotation } } },
    ...problemResponses(400, 401, 403, 409, 422),
  },
});

const changeEndpoint = createRoute({
  method: 'post',
  path: '/api/v1/participant/endpoint',
  tags: ['network'],
  summary: "Sets this node's endpoint in the registry (where other nodes call it)",
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.manageNetwork)] as const,
  request: { body: { content: { 'application/json': { schema: EndpointBody } }, required: true } },
  responses: {
    200: { description: 'changed', content: { 'application/json': { schema: EndpointChange } } },
    ...problemResponses(400, 401, 403, 409, 422),
  },
});

export function peerRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(whoami(ctx), (c) => {
    const peer = c.get('peer');
    return c.json(
      {
        caller: { address: peer.address, name: peer.name, role: peer.role, gln: peer.gln, status: peer.status, keyThumbprint: peer.keyThumbprint },
        callee: { address: ctx.participant, name: ctx.config.participantName, chainId: ctx.chainId },
      },
      200,
    );
  });

  app.openapi(getParticipant, async (c) => {
    const own = await ctx.directory.get(ctx.participant, { fresh: true });
    const registered = own.status !== 'unknown';
    const key = ctx.signingKey;
    return c.json(
      {
        address: ctx.participant,
        chainId: ctx.chainId,
        name: registered ? own.name : ctx.config.participantName,
        role: registered ? own.role : ctx.config.participantRole,
        gln: registered ? own.gln : (ctx.config.participantGln ?? ''),
        status: own.status,
        invalidFromBatch: own.invalidFromBatch,
        endpoint: own.endpoint,
        publicUrl: ctx.config.publicUrl ?? null,
        keyThumbprint: own.keyThumbprint,
        signingKey: { thumbprint: key.thumbprint, publicJwk: { ...key.publicJwk }, matchesRegistry: own.keyThumbprint === key.thumbprint },
        gs1CompanyPrefixes: registered ? await ownPrefixes(ctx) : [],
        chain: {
          chainId: ctx.chainId,
          registry: ctx.chain.deployment.registry,
          anchorLog: ctx.chain.deployment.anchorLog,
          recallBoard: ctx.chain.deployment.recallBoard,
        },
      },
      200,
    );
  });

  app.openapi(rotateKey, async (c) => {
    const input = c.req.valid('json') ?? {};
    const result = await performWrite(c, ctx.sql, input, async ({ audit }) => {
      const rotation = await rotateSigningKey(ctx);
      await audit({
        action: 'participant.rotate_key',
        entity: 'participant',
        entityId: ctx.participant,
        before: { keyThumbprint: rotation.previousThumbprint },
        after: { keyThumbprint: rotation.thumbprint, txHash: rotation.txHash },
      });
      return { status: 200 as const, body: rotation };
    });
    return c.json(result.body, 200);
  });

  app.openapi(changeEndpoint, async (c) => {
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async ({ audit }) => {
      const change = await updateOwnEndpoint(ctx, input.endpoint);
      await audit({
        action: 'participant.endpoint',
        entity: 'participant',
        entityId: ctx.participant,
        before: { endpoint: change.previousEndpoint },
        after: { endpoint: change.endpoint, txHash: change.txHash },
      });
      return { status: 200 as const, body: change };
    });
    return c.json(result.body, 200);
  });

  return app;
}
