// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAnchorLog} from "./interfaces/IAnchorLog.sol";
import {IParticipantRegistry} from "./interfaces/IParticipantRegistry.sol";

/**
 * @title AnchorLog
 * @notice Per-participant log of ledger batch roots (DESIGN 4.5 and 5).
 */
contract AnchorLog is IAnchorLog {
    // One slot per participant, read and written once per anchor.
    struct Head {
        uint64 count;
        uint64 lastTo;
    }

    // Two slots per batch: the root, then from, to and anchoredAt packed together. That is all an
    // anchor stores, so its gas does not depend on the number of events in the batch.
    struct Batch {
        bytes32 root;
        uint64 from;
        uint64 to;
        uint64 anchoredAt;
    }

    IParticipantRegistry private immutable _registry;
    mapping(address participant => Head) private _heads;
    mapping(address participant => mapping(uint256 batch => Batch)) private _batches;

    constructor(address registry_) {
        if (registry_ == address(0)) revert AnchorLogInvalidRegistry(registry_);
        _registry = IParticipantRegistry(registry_);
    }

    /// @inheritdoc IAnchorLog
    function anchor(bytes32 root, uint64 to) external returns (uint256 batch) {
        if (!_registry.isActive(msg.sender)) revert AnchorLogInactiveParticipant(msg.sender);
        if (root == bytes32(0)) revert AnchorLogZeroRoot();
        Head memory head = _heads[msg.sender];
        uint64 from = head.lastTo + 1;
        if (to < from) revert AnchorLogEmptyRange(from, to);

        batch = head.count;
        _batches[msg.sender][batch] = Batch({root: root, from: from, to: to, anchoredAt: uint64(block.timestamp)});
        _heads[msg.sender] = Head({count: head.count + 1, lastTo: to});
        emit Anchored(msg.sender, batch, root, from, to);
    }

    /// @inheritdoc IAnchorLog
    function batchCount(address participant) external view returns (uint256) {
        return _heads[participant].count;
    }

    /// @inheritdoc IAnchorLog
    function getBatch(address participant, uint256 batch)
        external
        view
        returns (bytes32 root, uint64 from, uint64 to, uint64 anchoredAt)
    {
        if (batch >= _heads[participant].count) revert AnchorLogUnknownBatch(participant, batch);
        Batch storage stored = _batches[participant][batch];
        return (stored.root, stored.from, stored.to, stored.anchoredAt);
    }

    /// @inheritdoc IAnchorLog
    function lastAnchoredSeq(address participant) external view returns (uint64) {
        return _heads[participant].lastTo;
    }

    /// @inheritdoc IAnchorLog
    function registry() external view returns (address) {
        return address(_registry);
    }
}
