// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IRecallBoard
 * @notice The public board of medical device recalls (DESIGN 5). Only the active owner of a GTIN's
 * company prefix publishes a recall for it, for some lots or for all lots, and later updates its
 * status. Anyone reads recalls by `recallKey(gtin14, lot)`; every node watches the events.
 */
interface IRecallBoard {
    /// @notice A recall, as returned by {getRecall}.
    struct Recall {
        /// The recalled GTIN, 14 digits.
        string gtin14;
        /// The recalled lots; empty when every lot is recalled.
        string[] lots;
        /// 1 class I (serious harm likely), 2 class II, 3 class III.
        uint8 recallClass;
        /// 1 return or remove, 2 correct in the field, 3 destroy, 4 safety notice only.
        uint8 action;
        /// 1 open, 2 closed (completed), 3 withdrawn (published in error; final).
        uint8 status;
        /// SHA-256 of the recall notice document.
        bytes32 noticeSha256;
        /// Where the notice document can be fetched.
        string noticeUri;
        /// The participant that published it.
        address issuer;
        /// Block timestamp of the publication.
        uint64 publishedAt;
        /// Block timestamp of the last status change (equal to `publishedAt` until one).
        uint64 updatedAt;
    }

    /// @notice `registry` cannot be the zero address.
    error RecallBoardInvalidRegistry(address registry);
    /// @notice `gtin` is not 14 ASCII digits.
    error RecallBoardInvalidGtin(string gtin);
    /// @notice `caller` does not hold the company prefix of `gtin`.
    error RecallBoardNotPrefixOwner(string gtin, address caller);
    /// @notice `participant` is not an active participant of the registry.
    error RecallBoardInactiveParticipant(address participant);
    /// @notice `lot` (at position `index` of the lots) is empty or longer than 20 characters.
    error RecallBoardInvalidLot(uint256 index, string lot);
    /// @notice `lot` appears twice in the lots of one recall.
    error RecallBoardDuplicateLot(string lot);
    /// @notice `recallClass` is not 1, 2 or 3.
    error RecallBoardInvalidClass(uint8 recallClass);
    /// @notice `action` is not one of 1 to 4.
    error RecallBoardInvalidAction(uint8 action);
    /// @notice The SHA-256 of the notice cannot be zero.
    error RecallBoardZeroNoticeHash();
    /// @notice No recall has id `id`.
    error RecallBoardUnknownRecall(uint256 id);
    /// @notice `caller` did not publish recall `id`.
    error RecallBoardNotIssuer(uint256 id, address caller);
    /// @notice Recall `id` cannot go from status `current` to status `requested`.
    error RecallBoardInvalidStatusChange(uint256 id, uint8 current, uint8 requested);

    /// @notice `issuer` published recall `id` of `gtin14` (all lots when `lots` is empty).
    event RecallPublished(
        uint256 indexed id,
        address indexed issuer,
        string gtin14,
        string[] lots,
        uint8 recallClass,
        uint8 action,
        bytes32 noticeSha256,
        string noticeUri
    );
    /// @notice The status of recall `id` changed from `previousStatus` to `status`.
    event RecallStatusUpdated(uint256 indexed id, uint8 previousStatus, uint8 status);

    /**
     * @notice Publishes an open recall of `gtin14`. The caller must be the active participant
     * holding the GTIN's company prefix (see ParticipantRegistry.resolveGtin).
     * @param lots The recalled lots (1 to 20 characters each, no repeats); empty for all lots.
     * @param recallClass 1, 2 or 3 (class I, II, III).
     * @param action 1 return or remove, 2 correct in the field, 3 destroy, 4 safety notice only.
     * @param noticeSha256 SHA-256 of the notice document, not zero.
     * @return id The recall's id, from 1.
     */
    function publishRecall(
        string calldata gtin14,
        string[] calldata lots,
        uint8 recallClass,
        uint8 action,
        bytes32 noticeSha256,
        string calldata noticeUri
    ) external returns (uint256 id);

    /**
     * @notice Changes the status of recall `id` (1 open, 2 closed, 3 withdrawn). Only its issuer,
     * while active. Any change between open and closed is allowed; withdrawn is final.
     */
    function updateStatus(uint256 id, uint8 status) external;

    /// @notice The key recalls are filed under: keccak256(abi.encode(gtin14, lot)); lot "" means all lots.
    function recallKey(string calldata gtin14, string calldata lot) external pure returns (bytes32);

    /// @notice The ids of the recalls filed under `key`, oldest first.
    function recallIdsByKey(bytes32 key) external view returns (uint256[] memory);

    /// @notice Recall `id`. Reverts with {RecallBoardUnknownRecall} if it does not exist.
    function getRecall(uint256 id) external view returns (Recall memory);

    /// @notice How many recalls were published; ids run from 1 to this number.
    function recallCount() external view returns (uint256);

    /**
     * @notice The ids of the recalls that concern `lot` of `gtin14`, oldest first: those naming the
     * lot plus those of all lots. With `lot` "", only the all-lots recalls.
     */
    function recallsFor(string calldata gtin14, string calldata lot) external view returns (uint256[] memory);

    /// @notice The ParticipantRegistry that decides who owns a GTIN.
    function registry() external view returns (address);
}
