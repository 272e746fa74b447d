import { describe, expect, it } from 'vitest';
import { ZeroAddress, ZeroHash, id } from 'ethers';
import hre from './hre';
import { by, hash, register, registerWithPrefix, ROLE, STATUS, useMedtrace } from './fixture';
import { expectEvent, expectRevert } from './expectRevert';

const GOVERNOR_ROLE = id('GOVERNOR_ROLE');

describe('ParticipantRegistry', () => {
  const medtrace = useMedtrace();

  /** The registry as sent by the governor. */
  function governed() {
    const m = medtrace();
    return by(m.registry, m.governor);
  }

  async function send(promise: Promise<{ wait(): Promise<unknown> }>) {
    return (await promise).wait() as ReturnType<typeof register>;
  }

  describe('deployment', () => {
    it('gives the governor the governor and admin roles', async () => {
      const m = medtrace();
      expect(await m.registry.GOVERNOR_ROLE()).toBe(GOVERNOR_ROLE);
      expect(await m.registry.hasRole(GOVERNOR_ROLE, m.governor.address)).toBe(true);
      expect(await m.registry.hasRole(ZeroHash, m.governor.address)).toBe(true);
      expect(await m.registry.participantCount()).toBe(0n);
    });

    it('refuses a zero governor', async () => {
      const factory = await hre.ethers.getContractFactory('ParticipantRegistry');
      await expectRevert(factory.deploy(ZeroAddress), factory, 'ParticipantRegistryInvalidGovernor', [ZeroAddress]);
    });
  });

  describe('register', () => {
    it('registers an active participant with its entry and emits ParticipantRegistered', async () => {
      const m = medtrace();
      const p = m.others[0]!.address;
      const key = hash('acme key');
      const receipt = await send(
        governed().register(p, 'Acme Medical', ROLE.distributor, '9506000000005', 'https://acme.example', key),
      );
      expectEvent(receipt, m.registry, 'ParticipantRegistered', [
        p,
        'Acme Medical',
        ROLE.distributor,
        '9506000000005',
        'https://acme.example',
        key,
      ]);
      const block = await hre.ethers.provider.getBlock(receipt!.blockNumber);
      const entry = await m.registry.getParticipant(p);
      expect(entry.toArray()).toEqual([
        'Acme Medical',
        BigInt(ROLE.distributor),
        '9506000000005',
        'https://acme.example',
        key,
        BigInt(STATUS.active),
        0n,
        BigInt(block!.timestamp),
      ]);
      expect((await m.registry.statusOf(p)).toArray()).toEqual([BigInt(STATUS.active), 0n]);
      expect(await m.registry.isActive(p)).toBe(true);
      expect(await m.registry.participantCount()).toBe(1n);
      expect(await m.registry.participantAt(0)).toBe(p);
    });

    it('accepts every role from 1 to 5 and lists participants in order', async () => {
      const m = medtrace();
      for (const [i, role] of Object.values(ROLE).entries()) await register(m, m.others[i]!.address, { role });
      expect(await m.registry.participantCount()).toBe(5n);
      for (let i = 0; i < 5; i++) {
        expect(await m.registry.participantAt(i)).toBe(m.others[i]!.address);
        expect((await m.registry.getParticipant(m.others[i]!.address)).role).toBe(BigInt(i + 1));
      }
    });

    it('refuses a participant registered twice', async () => {
      const m = medtrace();
      await register(m, m.others[0]!.address);
      await expectRevert(register(m, m.others[0]!.address), m.registry, 'ParticipantRegistryAlreadyRegistered', [
        m.others[0]!.address,
      ]);
    });

    it('refuses the zero address', async () => {
      const m = medtrace();
      await expectRevert(register(m, ZeroAddress), m.registry, 'ParticipantRegistryInvalidParticipant', [ZeroAddress]);
    });

    it('refuses a role outside 1 to 5', async () => {
      const m = medtrace();
      for (const role of [0, 6, 255]) {
        await expectRevert(register(m, m.others[0]!.address, { role }), m.registry, 'ParticipantRegistryInvalidRole', [
          role,
        ]);
      }
    });

    it('refuses an empty name and a zero key thumbprint', async () => {
      const m = medtrace();
      await expectRevert(register(m, m.others[0]!.address, { name: '' }), m.registry, 'ParticipantRegistryEmptyName');
      await expectRevert(
        register(m, m.others[0]!.address, { keyThumbprint: ZeroHash }),
        m.registry,
        'ParticipantRegistryZeroKeyThumbprint',
      );
    });

    it('refuses a caller without the governor role', async () => {
      const m = medtrace();
      const outsider = m.others[1]!;
      await expectRevert(
        by(m.registry, outsider).register(m.others[0]!.address, 'X', 1, '', '', hash('k')),
        m.registry,
        'AccessControlUnauthorizedAccount',
        [outsider.address, GOVERNOR_ROLE],
      );
    });

    it('lets the admin grant the governor role to another account', async () => {
      const m = medtrace();
      const deputy = m.others[4]!;
      await send(governed().grantRole(GOVERNOR_ROLE, deputy.address));
      const receipt = await send(by(m.registry, deputy).register(m.others[0]!.address, 'X', 1, '', '', hash('k')));
      expectEvent(receipt, m.registry, 'ParticipantRegistered', [m.others[0]!.address, 'X', 1, '', '', hash('k')]);
    });
  });

  describe('reads of unknown participants', () => {
    it('reports status 0 and refuses getParticipant', async () => {
      const m = medtrace();
      const p = m.others[0]!.address;
      expect((await m.registry.statusOf(p)).toArray()).toEqual([0n, 0n]);
      expect(await m.registry.isActive(p)).toBe(false);
      expect(await m.registry.prefixesOf(p)).toEqual([]);
      await expectRevert(m.registry.getParticipant(p), m.registry, 'ParticipantRegistryUnknownParticipant', [p]);
    });

    it('refuses participantAt past the end', async () => {
      const m = medtrace();
      await expectRevert(m.registry.participantAt(0), m.registry, 'ParticipantRegistryIndexOutOfRange', [0, 0]);
      await register(m, m.others[0]!.address);
      await expectRevert(m.registry.participantAt(1), m.registry, 'ParticipantRegistryIndexOutOfRange', [1, 1]);
    });
  });

  describe('assignPrefix', () => {
    it('assigns several prefixes to one participant and emits PrefixAssigned', async () => {
      const m = medtrace();
      const p = m.others[0]!.address;
      await register(m, p);
      const first = await send(governed().assignPrefix(p, '9506000'));
      expectEvent(first, m.registry, 'PrefixAssigned', [p, '9506000']);
      const second = await send(governed().assignPrefix(p, '4006'));
      expectEvent(second, m.registry, 'PrefixAssigned', [p, '4006']);
      expect(await m.registry.prefixOwner('9506000')).toBe(p);
      expect(await m.registry.prefixOwner('4006')).toBe(p);
      expect(await m.registry.prefixOwner('4007')).toBe(ZeroAddress);
      expect(await m.registry.prefixesOf(p)).toEqual(['9506000', '4006']);
    });

    it('refuses a prefix already held, naming its owner', async () => {
      const m = medtrace();
      const [a, b] = [m.others[0]!.address, m.others[1]!.address];
      await registerWithPrefix(m, a, '9506000');
      await register(m, b);
      await expectRevert(governed().assignPrefix(b, '9506000'), m.registry, 'ParticipantRegistryPrefixTaken', [
        '9506000',
        a,
      ]);
      await expectRevert(governed().assignPrefix(a, '9506000'), m.registry, 'ParticipantRegistryPrefixTaken', [
        '9506000',
        a,
      ]);
    });

    it('accepts 4 and 12 digits and refuses anything but 4 to 12 ASCII digits', async () => {
      const m = medtrace();
      const p = m.others[0]!.address;
      await register(m, p);
      await send(governed().assignPrefix(p, '1234'));
      await send(governed().assignPrefix(p, '123456789012'));
      for (const prefix of ['', '123', '1234567890123', '12a4', '１２３４', '12 34', '-1234']) {
        await expectRevert(governed().assignPrefix(p, prefix), m.registry, 'ParticipantRegistryInvalidPrefix', [
          prefix,
        ]);
      }
    });

    it('refuses an unknown or inactive participant', async () => {
      const m = medtrace();
      const p = m.others[0]!.address;
      await expectRevert(governed().assignPrefix(p, '4006'), m.registry, 'ParticipantRegistryUnknownParticipant', [p]);
      await register(m, p);
      await send(governed().suspend(p));
      await expectRevert(governed().assignPrefix(p, '4006'), m.registry, 'ParticipantRegistryInactiveParticipant', [
        p,
        STATUS.suspended,
      ]);
    });

    it('refuses a caller without the governor role', async () => {
      const m = medtrace();
      const p = m.others[0]!;
      await register(m, p.address);
      await expectRevert(by(m.registry, p).assignPrefix(p.address, '4006'), m.registry, 'AccessControlUnauthorizedAccount', [
        p.address,
        GOVERNOR_ROLE,
      ]);
    });
  });

  describe('resolveGtin', () => {
    it('finds the owner by company prefixes of 4 to 12 digits, ignoring the indicator digit', async () => {
      const m = medtrace();
      const [a, b, c, d] = m.others.slice(0, 4).map((s) => s.address);
      await registerWithPrefix(m, a!, '9506000');
      await registerWithPrefix(m, b!, '4006');
      await registerWithPrefix(m, c!, '061414100');
      await registerWithPrefix(m, d!, '761234567890');
      expect(await m.registry.resolveGtin('09506000134352')).toBe(a);
      expect(await m.registry.resolveGtin('19506000134359')).toBe(a);
      expect(await m.registry.resolveGtin('04006381333931')).toBe(b);
      expect(await m.registry.resolveGtin('00614141000012')).toBe(c);
      expect(await m.registry.resolveGtin('17612345678907')).toBe(d);
    });

    it('prefers the longest matching prefix', async () => {
      const m = medtrace();
      const [a, b] = [m.others[0]!.address, m.others[1]!.address];
      await registerWithPrefix(m, a, '9506');
      await registerWithPrefix(m, b, '9506000');
      expect(await m.registry.resolveGtin('09506000134352')).toBe(b);
      expect(await m.registry.resolveGtin('09506001234567')).toBe(a);
    });

    it('answers the zero address for a GTIN whose prefix nobody holds', async () => {
      const m = medtrace();
      await registerWithPrefix(m, m.others[0]!.address, '9506000');
      expect(await m.registry.resolveGtin('05012345678900')).toBe(ZeroAddress);
      // The check digit is not part of any prefix: a 12-digit prefix never sees it.
      await registerWithPrefix(m, m.others[1]!.address, '501234567890');
      expect(await m.registry.resolveGtin('05012345678900')).toBe(m.others[1]!.address);
    });

    it('still resolves to a suspended owner (the board decides what it may do)', async () => {
      const m = medtrace();
      const a = m.others[0]!.address;
      await registerWithPrefix(m, a, '9506000');
      await send(governed().suspend(a));
      expect(await m.registry.resolveGtin('09506000134352')).toBe(a);
    });

    it('refuses anything but 14 ASCII digits', async () => {
      const m = medtrace();
      for (const gtin of ['', '9506000134352', '095060001343521', '0950600013435x', '09506000 34352']) {
        await expectRevert(m.registry.resolveGtin(gtin), m.registry, 'ParticipantRegistryInvalidGtin', [gtin]);
      }
    });
  });

  describe('suspend and reinstate', () => {
    it('suspends an active participant and reinstates it, with events', async () => {
      const m = medtrace();
      const p = m.others[0]!.address;
      await register(m, p);
      const suspended = await send(governed().suspend(p));
      expectEvent(suspended, m.registry, 'ParticipantSuspended', [p]);
      expect((await m.registry.statusOf(p)).toArray()).toEqual([BigInt(STATUS.suspended), 0n]);
      expect(await m.registry.isActive(p)).toBe(false);
      expect((await m.registry.getParticipant(p)).status).toBe(BigInt(STATUS.suspended));

      const reinstated = await send(governed().reinstate(p));
      expectEvent(reinstated, m.registry, 'ParticipantReinstated', [p]);
      expect((await m.registry.statusOf(p)).toArray()).toEqual([BigInt(STATUS.active), 0n]);
      expect(await m.registry.isActive(p)).toBe(true);
    });

    it('refuses to suspend an unknown, suspended or revoked participant', async () => {
      const m = medtrace();
      const [p, q] = [m.others[0]!.address, m.others[1]!.address];
      await expectRevert(governed().suspend(p), m.registry, 'ParticipantRegistryUnknownParticipant', [p]);
      await register(m, p);
      await send(governed().suspend(p));
      await expectRevert(governed().suspend(p), m.registry, 'ParticipantRegistryInactiveParticipant', [
        p,
        STATUS.suspended,
      ]);
      await register(m, q);
      await send(governed().revoke(q, 0));
      await expectRevert(governed().suspend(q), m.registry, 'ParticipantRegistryInactiveParticipant', [
        q,
        STATUS.revoked,
      ]);
    });

    it('refuses to reinstate an unknown, active or revoked participant', async () => {
      const m = medtrace();
      const p = m.others[0]!.address;
      await expectRevert(governed().reinstate(p), m.registry, 'ParticipantRegistryUnknownParticipant', [p]);
      await register(m, p);
      await expectRevert(governed().reinstate(p), m.registry, 'ParticipantRegistryNotSuspended', [p, STATUS.active]);
      await send(governed().suspend(p));
      await send(governed().revoke(p, 4));
      await expectRevert(governed().reinstate(p), m.registry, 'ParticipantRegistryNotSuspended', [p, STATUS.revoked]);
    });

    it('refuses callers without the governor role', async () => {
      const m = medtrace();
      const p = m.others[0]!;
      await register(m, p.address);
      await expectRevert(by(m.registry, p).suspend(p.address), m.registry, 'AccessControlUnauthorizedAccount', [
        p.address,
        GOVERNOR_ROLE,
      ]);
      await send(governed().suspend(p.address));
      await expectRevert(by(m.registry, p).reinstate(p.address), m.registry, 'AccessControlUnauthorizedAccount', [
        p.address,
        GOVERNOR_ROLE,
      ]);
    });
  });

  describe('revoke', () => {
    it('revokes an active participant from a named batch and emits ParticipantRevoked', async () => {
      const m = medtrace();
      const p = m.others[0]!.address;
      await register(m, p);
      const receipt = await send(governed().revoke(p, 5));
      expectEvent(receipt, m.registry, 'ParticipantRevoked', [p, 5]);
      expect((await m.registry.statusOf(p)).toArray()).toEqual([BigInt(STATUS.revoked), 5n]);
      const entry = await m.registry.getParticipant(p);
      expect([entry.status, entry.invalidFromBatch]).toEqual([BigInt(STATUS.revoked), 5n]);
      expect(await m.registry.isActive(p)).toBe(false);
    });

    it('revokes a suspended participant', async () => {
      const m = medtrace();
      const p = m.others[0]!.address;
      await register(m, p);
      await send(governed().suspend(p));
      expectEvent(await send(governed().revoke(p, 0)), m.registry, 'ParticipantRevoked', [p, 0]);
      expect((await m.registry.statusOf(p)).toArray()).toEqual([BigInt(STATUS.revoked), 0n]);
    });

    it('moves the first invalid batch earlier on a second revocation, never later', async () => {
      const m = medtrace();
      const p = m.others[0]!.address;
      await register(m, p);
      await send(governed().revoke(p, 5));
      expectEvent(await send(governed().revoke(p, 2)), m.registry, 'ParticipantRevoked', [p, 2]);
      expect((await m.registry.statusOf(p)).toArray()).toEqual([BigInt(STATUS.revoked), 2n]);
      for (const later of [2, 3]) {
        await expectRevert(governed().revoke(p, later), m.registry, 'ParticipantRegistryRevocationNotEarlier', [
          p,
          2,
          later,
        ]);
      }
    });

    it('refuses an unknown participant and a caller without the governor role', async () => {
      const m = medtrace();
      const p = m.others[0]!;
      await expectRevert(governed().revoke(p.address, 0), m.registry, 'ParticipantRegistryUnknownParticipant', [
        p.address,
      ]);
      await register(m, p.address);
      await expectRevert(by(m.registry, p).revoke(p.address, 0), m.registry, 'AccessControlUnauthorizedAccount', [
        p.address,
        GOVERNOR_ROLE,
      ]);
    });
  });

  describe('updates by the participant', () => {
    it('updates its own endpoint and emits EndpointUpdated', async () => {
      const m = medtrace();
      const p = m.others[0]!;
      await register(m, p.address);
      const receipt = await send(by(m.registry, p).updateEndpoint('https://new.acme.example'));
      expectEvent(receipt, m.registry, 'EndpointUpdated', [p.address, 'https://new.acme.example']);
      expect((await m.registry.getParticipant(p.address)).endpoint).toBe('https://new.acme.example');
    });

    it('rotates its own key and emits KeyRotated with the previous thumbprint', async () => {
      const m = medtrace();
      const p = m.others[0]!;
      await register(m, p.address, { keyThumbprint: hash('old key') });
      const receipt = await send(by(m.registry, p).rotateKey(hash('new key')));
      expectEvent(receipt, m.registry, 'KeyRotated', [p.address, hash('old key'), hash('new key')]);
      expect((await m.registry.getParticipant(p.address)).keyThumbprint).toBe(hash('new key'));
    });

    it('refuses a zero key thumbprint', async () => {
      const m = medtrace();
      const p = m.others[0]!;
      await register(m, p.address);
      await expectRevert(by(m.registry, p).rotateKey(ZeroHash), m.registry, 'ParticipantRegistryZeroKeyThumbprint');
    });

    it('refuses an unregistered caller', async () => {
      const m = medtrace();
      const p = m.others[0]!;
      await expectRevert(by(m.registry, p).updateEndpoint('https://x'), m.registry, 'ParticipantRegistryUnknownParticipant', [
        p.address,
      ]);
      await expectRevert(by(m.registry, p).rotateKey(hash('k')), m.registry, 'ParticipantRegistryUnknownParticipant', [
        p.address,
      ]);
    });

    it('refuses a suspended or revoked participant', async () => {
      const m = medtrace();
      const [p, q] = [m.others[0]!, m.others[1]!];
      await register(m, p.address);
      await register(m, q.address);
      await send(governed().suspend(p.address));
      await send(governed().revoke(q.address, 0));
      for (const [signer, status] of [
        [p, STATUS.suspended],
        [q, STATUS.revoked],
      ] as const) {
        await expectRevert(by(m.registry, signer).updateEndpoint('https://x'), m.registry, 'ParticipantRegistryInactiveParticipant', [
          signer.address,
          status,
        ]);
        await expectRevert(by(m.registry, signer).rotateKey(hash('k')), m.registry, 'ParticipantRegistryInactiveParticipant', [
          signer.address,
          status,
        ]);
      }
    });
  });
});
