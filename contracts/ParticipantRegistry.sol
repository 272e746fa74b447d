// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IParticipantRegistry} from "./interfaces/IParticipantRegistry.sol";
import {AsciiDigits} from "./libraries/AsciiDigits.sol";

/**
 * @title ParticipantRegistry
 * @notice The governed list of medtrace participants and their GS1 company prefixes (DESIGN 5).
 */
contract ParticipantRegistry is IParticipantRegistry, AccessControl {
    using AsciiDigits for bytes;

    uint8 private constant STATUS_UNKNOWN = 0;
    uint8 private constant STATUS_ACTIVE = 1;
    uint8 private constant STATUS_SUSPENDED = 2;
    uint8 private constant STATUS_REVOKED = 3;

    uint8 private constant ROLE_MIN = 1;
    uint8 private constant ROLE_MAX = 5;

    uint256 private constant PREFIX_MIN_DIGITS = 4;
    uint256 private constant PREFIX_MAX_DIGITS = 12;

    /// @inheritdoc IParticipantRegistry
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");

    // status, role and registeredAt share the first slot, so isActive (read on every anchor) costs
    // one storage read.
    struct Entry {
        uint8 status;
        uint8 role;
        uint64 registeredAt;
        bytes32 keyThumbprint;
        uint256 invalidFromBatch;
        string name;
        string gln;
        string endpoint;
    }

    mapping(address participant => Entry) private _entries;
    address[] private _participants;
    // Keyed by keccak256 of the prefix digits, so resolveGtin can hash slices of the GTIN in place.
    mapping(bytes32 prefixHash => address owner) private _prefixOwners;
    mapping(address participant => string[]) private _prefixes;

    constructor(address governor) {
        if (governor == address(0)) revert ParticipantRegistryInvalidGovernor(governor);
        _grantRole(DEFAULT_ADMIN_ROLE, governor);
        _grantRole(GOVERNOR_ROLE, governor);
    }

    /// @inheritdoc IParticipantRegistry
    function register(
        address participant,
        string calldata name,
        uint8 role,
        string calldata gln,
        string calldata endpoint,
        bytes32 keyThumbprint
    ) external onlyRole(GOVERNOR_ROLE) {
        if (participant == address(0)) revert ParticipantRegistryInvalidParticipant(participant);
        if (_entries[participant].status != STATUS_UNKNOWN) revert ParticipantRegistryAlreadyRegistered(participant);
        if (role < ROLE_MIN || role > ROLE_MAX) revert ParticipantRegistryInvalidRole(role);
        if (bytes(name).length == 0) revert ParticipantRegistryEmptyName();
        if (keyThumbprint == bytes32(0)) revert ParticipantRegistryZeroKeyThumbprint();

        Entry storage entry = _entries[participant];
        entry.status = STATUS_ACTIVE;
        entry.role = role;
        entry.registeredAt = uint64(block.timestamp);
        entry.keyThumbprint = keyThumbprint;
        entry.name = name;
        entry.gln = gln;
        entry.endpoint = endpoint;
        _participants.push(participant);
        emit ParticipantRegistered(participant, name, role, gln, endpoint, keyThumbprint);
    }

    /// @inheritdoc IParticipantRegistry
    function assignPrefix(address participant, string calldata prefix) external onlyRole(GOVERNOR_ROLE) {
        _requireActive(participant);
        if (!bytes(prefix).isDigits(PREFIX_MIN_DIGITS, PREFIX_MAX_DIGITS)) {
            revert ParticipantRegistryInvalidPrefix(prefix);
        }
        bytes32 key = keccak256(bytes(prefix));
        address owner = _prefixOwners[key];
        if (owner != address(0)) revert ParticipantRegistryPrefixTaken(prefix, owner);

        _prefixOwners[key] = participant;
        _prefixes[participant].push(prefix);
        emit PrefixAssigned(participant, prefix);
    }

    /// @inheritdoc IParticipantRegistry
    function suspend(address participant) external onlyRole(GOVERNOR_ROLE) {
        _requireActive(participant);
        _entries[participant].status = STATUS_SUSPENDED;
        emit ParticipantSuspended(participant);
    }

    /// @inheritdoc IParticipantRegistry
    function reinstate(address participant) external onlyRole(GOVERNOR_ROLE) {
        uint8 status = _requireKnown(participant);
        if (status != STATUS_SUSPENDED) revert ParticipantRegistryNotSuspended(participant, status);
        _entries[participant].status = STATUS_ACTIVE;
        emit ParticipantReinstated(participant);
    }

    /// @inheritdoc IParticipantRegistry
    function revoke(address participant, uint256 invalidFromBatch) external onlyRole(GOVERNOR_ROLE) {
        uint8 status = _requireKnown(participant);
        Entry storage entry = _entries[participant];
        if (status == STATUS_REVOKED && invalidFromBatch >= entry.invalidFromBatch) {
            revert ParticipantRegistryRevocationNotEarlier(participant, entry.invalidFromBatch, invalidFromBatch);
        }
        entry.status = STATUS_REVOKED;
        entry.invalidFromBatch = invalidFromBatch;
        emit ParticipantRevoked(participant, invalidFromBatch);
    }

    /// @inheritdoc IParticipantRegistry
    function updateEndpoint(string calldata endpoint) external {
        _requireActive(msg.sender);
        _entries[msg.sender].endpoint = endpoint;
        emit EndpointUpdated(msg.sender, endpoint);
    }

    /// @inheritdoc IParticipantRegistry
    function rotateKey(bytes32 keyThumbprint) external {
        _requireActive(msg.sender);
        if (keyThumbprint == bytes32(0)) revert ParticipantRegistryZeroKeyThumbprint();
        Entry storage entry = _entries[msg.sender];
        bytes32 previous = entry.keyThumbprint;
        entry.keyThumbprint = keyThumbprint;
        emit KeyRotated(msg.sender, previous, keyThumbprint);
    }

    /// @inheritdoc IParticipantRegistry
    function statusOf(address participant) external view returns (uint8 status, uint256 invalidFromBatch) {
        Entry storage entry = _entries[participant];
        return (entry.status, entry.invalidFromBatch);
    }

    /// @inheritdoc IParticipantRegistry
    function getParticipant(address participant) external view returns (Participant memory) {
        _requireKnown(participant);
        Entry storage entry = _entries[participant];
        return Participant({
            name: entry.name,
            role: entry.role,
            gln: entry.gln,
            endpoint: entry.endpoint,
            keyThumbprint: entry.keyThumbprint,
            status: entry.status,
            invalidFromBatch: entry.invalidFromBatch,
            registeredAt: entry.registeredAt
        });
    }

    /// @inheritdoc IParticipantRegistry
    function isActive(address participant) external view returns (bool) {
        return _entries[participant].status == STATUS_ACTIVE;
    }

    /// @inheritdoc IParticipantRegistry
    function resolveGtin(string calldata gtin14) external view returns (address) {
        bytes memory gtin = bytes(gtin14);
        if (!gtin.isGtin14()) revert ParticipantRegistryInvalidGtin(gtin14);
        for (uint256 length = PREFIX_MAX_DIGITS; length >= PREFIX_MIN_DIGITS; --length) {
            bytes32 key;
            // The GTIN-13 digits start after the indicator digit: byte 1 of the string's data,
            // which follows its 32-byte length word.
            assembly ("memory-safe") {
                key := keccak256(add(gtin, 33), length)
            }
            address owner = _prefixOwners[key];
            if (owner != address(0)) return owner;
        }
        return address(0);
    }

    /// @inheritdoc IParticipantRegistry
    function prefixOwner(string calldata prefix) external view returns (address) {
        return _prefixOwners[keccak256(bytes(prefix))];
    }

    /// @inheritdoc IParticipantRegistry
    function prefixesOf(address participant) external view returns (string[] memory) {
        return _prefixes[participant];
    }

    /// @inheritdoc IParticipantRegistry
    function participantCount() external view returns (uint256) {
        return _participants.length;
    }

    /// @inheritdoc IParticipantRegistry
    function participantAt(uint256 index) external view returns (address) {
        uint256 count = _participants.length;
        if (index >= count) revert ParticipantRegistryIndexOutOfRange(index, count);
        return _participants[index];
    }

    function _requireKnown(address participant) private view returns (uint8 status) {
        status = _entries[participant].status;
        if (status == STATUS_UNKNOWN) revert ParticipantRegistryUnknownParticipant(participant);
    }

    function _requireActive(address participant) private view {
        uint8 status = _requireKnown(participant);
        if (status != STATUS_ACTIVE) revert ParticipantRegistryInactiveParticipant(participant, status);
    }
}
