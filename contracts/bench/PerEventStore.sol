// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title PerEventStore
 * @notice Benchmark baseline only, never deployed by medtrace: what recording every ledger event on
 * chain by itself costs, without batching. `store` is one storage write per event and nothing else
 * (no event, no check: the cheapest honest "on chain per event"); `announce` is one log per event
 * and no storage (readable from logs only, as an indexer would).
 */
contract PerEventStore {
    mapping(bytes32 leaf => address participant) private _writers;

    /// @notice Emitted by `announce` (and only there: `store` is the bare storage write).
    event LeafAnnounced(address indexed participant, bytes32 leaf);

    /// @notice Records `leaf` as written by the caller: one new storage slot.
    function store(bytes32 leaf) external {
        _writers[leaf] = msg.sender;
    }

    /// @notice Logs `leaf` for the caller: one log, no storage.
    function announce(bytes32 leaf) external {
        emit LeafAnnounced(msg.sender, leaf);
    }

    /// @notice Who stored `leaf`, zero when nobody did.
    function writerOf(bytes32 leaf) external view returns (address) {
        return _writers[leaf];
    }
}
