// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IAnchorLog
 * @notice The on-chain half of every medtrace proof: each participant anchors the Merkle root of
 * its ledger events in consecutive batches of sequence numbers (DESIGN 4.5 and 5). Batches are
 * numbered from 0 per participant; sequence numbers from 1. A participant cannot skip or rewrite
 * its history: a batch always starts right after the previous one.
 */
interface IAnchorLog {
    /// @notice `registry` cannot be the zero address.
    error AnchorLogInvalidRegistry(address registry);
    /// @notice `participant` is not an active participant of the registry.
    error AnchorLogInactiveParticipant(address participant);
    /// @notice A batch root cannot be zero.
    error AnchorLogZeroRoot();
    /// @notice The batch would cover no sequence number: it must start at `from`, and `to` is below it.
    error AnchorLogEmptyRange(uint64 from, uint64 to);
    /// @notice `participant` has no batch numbered `batch`.
    error AnchorLogUnknownBatch(address participant, uint256 batch);

    /// @notice `participant` anchored batch number `batch`, the RFC 6962 root `root` of its events
    /// `from` to `to` (inclusive).
    event Anchored(address indexed participant, uint256 indexed batch, bytes32 root, uint64 from, uint64 to);

    /**
     * @notice Anchors the caller's events from its last anchored sequence number + 1 (1 for the
     * first batch) to `to`, whose RFC 6962 Merkle root is `root`. The caller must be an active
     * participant. Gas does not depend on the size of the batch.
     * @return batch The number of the new batch (0 for the caller's first).
     */
    function anchor(bytes32 root, uint64 to) external returns (uint256 batch);

    /// @notice How many batches `participant` has anchored.
    function batchCount(address participant) external view returns (uint256);

    /// @notice Batch number `batch` of `participant`. Reverts with {AnchorLogUnknownBatch} if it
    /// does not exist.
    function getBatch(address participant, uint256 batch)
        external
        view
        returns (bytes32 root, uint64 from, uint64 to, uint64 anchoredAt);

    /// @notice The last sequence number `participant` anchored, 0 before its first batch.
    function lastAnchoredSeq(address participant) external view returns (uint64);

    /// @notice The ParticipantRegistry that decides who may anchor.
    function registry() external view returns (address);
}
