// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IParticipantRegistry
 * @notice Who may write to the medtrace chain: the companies of the network, their GS1 company
 * prefixes, the endpoint of their node and the thumbprint of their signing key. A governor
 * registers, suspends, reinstates and revokes participants; a participant keeps its own endpoint
 * and key current. AnchorLog and RecallBoard read it to decide who may anchor and who may recall.
 */
interface IParticipantRegistry {
    /// @notice A participant's registry entry, as returned by {getParticipant}.
    struct Participant {
        string name;
        /// 1 manufacturer, 2 distributor, 3 hospital, 4 platform, 5 other.
        uint8 role;
        /// GS1 Global Location Number of the company (free text on chain, validated off chain).
        string gln;
        /// Base URL of the participant's node.
        string endpoint;
        /// SHA-256 JWK thumbprint (RFC 7638) of the participant's Ed25519 signing key.
        bytes32 keyThumbprint;
        /// 0 unknown, 1 active, 2 suspended, 3 revoked.
        uint8 status;
        /// First batch invalidated by the revocation; meaningful only when `status` is 3, else 0.
        uint256 invalidFromBatch;
        /// Block timestamp of the registration.
        uint64 registeredAt;
    }

    /// @notice `governor` cannot be the zero address.
    error ParticipantRegistryInvalidGovernor(address governor);
    /// @notice `participant` cannot be registered: it is the zero address.
    error ParticipantRegistryInvalidParticipant(address participant);
    /// @notice `participant` is already registered.
    error ParticipantRegistryAlreadyRegistered(address participant);
    /// @notice `participant` is not registered.
    error ParticipantRegistryUnknownParticipant(address participant);
    /// @notice `role` is not one of 1 to 5.
    error ParticipantRegistryInvalidRole(uint8 role);
    /// @notice A participant's name cannot be empty.
    error ParticipantRegistryEmptyName();
    /// @notice A key thumbprint cannot be zero.
    error ParticipantRegistryZeroKeyThumbprint();
    /// @notice `participant` must be active for this operation; its status is `status`.
    error ParticipantRegistryInactiveParticipant(address participant, uint8 status);
    /// @notice `participant` must be suspended to be reinstated; its status is `status`.
    error ParticipantRegistryNotSuspended(address participant, uint8 status);
    /// @notice `participant` is already revoked from `currentInvalidFromBatch`; a new revocation
    /// must name an earlier batch (`requestedInvalidFromBatch`).
    error ParticipantRegistryRevocationNotEarlier(
        address participant,
        uint256 currentInvalidFromBatch,
        uint256 requestedInvalidFromBatch
    );
    /// @notice `prefix` is not a GS1 company prefix of 4 to 12 ASCII digits.
    error ParticipantRegistryInvalidPrefix(string prefix);
    /// @notice `prefix` is already held by `owner`.
    error ParticipantRegistryPrefixTaken(string prefix, address owner);
    /// @notice `gtin` is not 14 ASCII digits.
    error ParticipantRegistryInvalidGtin(string gtin);
    /// @notice `index` is past the end of the participant list of length `count`.
    error ParticipantRegistryIndexOutOfRange(uint256 index, uint256 count);

    /// @notice `participant` was registered by the governor.
    event ParticipantRegistered(
        address indexed participant,
        string name,
        uint8 role,
        string gln,
        string endpoint,
        bytes32 keyThumbprint
    );
    /// @notice GS1 company prefix `prefix` was assigned to `participant`.
    event PrefixAssigned(address indexed participant, string prefix);
    /// @notice `participant` was suspended: it can no longer anchor, recall or update its entry.
    event ParticipantSuspended(address indexed participant);
    /// @notice `participant` was reinstated after a suspension.
    event ParticipantReinstated(address indexed participant);
    /// @notice `participant` was revoked; its batches from `invalidFromBatch` on are not evidence.
    event ParticipantRevoked(address indexed participant, uint256 invalidFromBatch);
    /// @notice `participant` changed the base URL of its node to `endpoint`.
    event EndpointUpdated(address indexed participant, string endpoint);
    /// @notice `participant` replaced its signing key `previousThumbprint` by `keyThumbprint`.
    event KeyRotated(address indexed participant, bytes32 previousThumbprint, bytes32 keyThumbprint);

    /// @notice The role allowed to register, suspend, reinstate and revoke participants and to
    /// assign prefixes.
    function GOVERNOR_ROLE() external view returns (bytes32);

    /**
     * @notice Registers `participant` as active. Governor only.
     * @param role 1 manufacturer, 2 distributor, 3 hospital, 4 platform, 5 other.
     * @param keyThumbprint SHA-256 JWK thumbprint of the participant's signing key, not zero.
     */
    function register(
        address participant,
        string calldata name,
        uint8 role,
        string calldata gln,
        string calldata endpoint,
        bytes32 keyThumbprint
    ) external;

    /**
     * @notice Assigns the GS1 company prefix `prefix` (4 to 12 digits) to the active `participant`.
     * A prefix has one owner; a participant may hold several. Governor only.
     */
    function assignPrefix(address participant, string calldata prefix) external;

    /// @notice Suspends the active `participant`: it can no longer anchor, publish or update
    /// recalls, or change its endpoint or key. Its past batches stay valid. Governor only.
    function suspend(address participant) external;

    /// @notice Makes the suspended `participant` active again. Governor only.
    function reinstate(address participant) external;

    /**
     * @notice Revokes `participant` for good (a compromised key, a company expelled). Governor only.
     * @dev Batches numbered `invalidFromBatch` and above are no longer evidence; earlier ones stay
     * valid. The value may name a batch already anchored (a compromise is often found late). It is
     * not bounded by the participant's current batch count: the registry does not know the
     * AnchorLog, and a revoked participant can anchor nothing more, so any value at or above the
     * batch count at revocation time invalidates no existing batch (passing the current count also
     * covers an anchor racing the revocation). A revoked participant may be revoked again only to
     * move `invalidFromBatch` earlier.
     */
    function revoke(address participant, uint256 invalidFromBatch) external;

    /// @notice Sets the caller's node base URL. The caller must be an active participant.
    function updateEndpoint(string calldata endpoint) external;

    /// @notice Replaces the caller's signing key thumbprint (not zero). The caller must be an
    /// active participant.
    function rotateKey(bytes32 keyThumbprint) external;

    /**
     * @notice The status of `participant`: 0 unknown, 1 active, 2 suspended, 3 revoked, and, when
     * revoked, the first batch the revocation invalidates (0 otherwise).
     */
    function statusOf(address participant) external view returns (uint8 status, uint256 invalidFromBatch);

    /// @notice The full entry of `participant`. Reverts if it is not registered.
    function getParticipant(address participant) external view returns (Participant memory);

    /// @notice Whether `participant` is registered and active.
    function isActive(address participant) external view returns (bool);

    /**
     * @notice The participant holding the company prefix of `gtin14`, or the zero address.
     * @dev Drops the indicator digit and matches the GTIN-13 digits against assigned prefixes,
     * longest first (12 down to 4 digits). The check digit is validated off chain; here the GTIN
     * must be 14 ASCII digits.
     */
    function resolveGtin(string calldata gtin14) external view returns (address);

    /// @notice The holder of the company prefix `prefix`, or the zero address.
    function prefixOwner(string calldata prefix) external view returns (address);

    /// @notice The company prefixes assigned to `participant`, in assignment order.
    function prefixesOf(address participant) external view returns (string[] memory);

    /// @notice How many participants were ever registered.
    function participantCount() external view returns (uint256);

    /// @notice The address of the participant registered in position `index` (from 0).
    function participantAt(uint256 index) external view returns (address);
}
