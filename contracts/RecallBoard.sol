// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IRecallBoard} from "./interfaces/IRecallBoard.sol";
import {IParticipantRegistry} from "./interfaces/IParticipantRegistry.sol";
import {AsciiDigits} from "./libraries/AsciiDigits.sol";

/**
 * @title RecallBoard
 * @notice Public recalls of medical devices, filed by GTIN and lot (DESIGN 5).
 */
contract RecallBoard is IRecallBoard {
    using AsciiDigits for bytes;

    uint8 private constant CLASS_MAX = 3;
    uint8 private constant ACTION_MAX = 4;
    uint8 private constant STATUS_OPEN = 1;
    uint8 private constant STATUS_CLOSED = 2;
    uint8 private constant STATUS_WITHDRAWN = 3;
    // GS1 AI (10) batch/lot: up to 20 characters.
    uint256 private constant LOT_MAX_LENGTH = 20;

    IParticipantRegistry private immutable _registry;
    Recall[] private _recalls;
    mapping(bytes32 key => uint256[] ids) private _idsByKey;

    constructor(address registry_) {
        if (registry_ == address(0)) revert RecallBoardInvalidRegistry(registry_);
        _registry = IParticipantRegistry(registry_);
    }

    /// @inheritdoc IRecallBoard
    function publishRecall(
        string calldata gtin14,
        string[] calldata lots,
        uint8 recallClass,
        uint8 action,
        bytes32 noticeSha256,
        string calldata noticeUri
    ) external returns (uint256 id) {
        if (!bytes(gtin14).isGtin14()) revert RecallBoardInvalidGtin(gtin14);
        if (_registry.resolveGtin(gtin14) != msg.sender) revert RecallBoardNotPrefixOwner(gtin14, msg.sender);
        if (!_registry.isActive(msg.sender)) revert RecallBoardInactiveParticipant(msg.sender);
        if (recallClass == 0 || recallClass > CLASS_MAX) revert RecallBoardInvalidClass(recallClass);
        if (action == 0 || action > ACTION_MAX) revert RecallBoardInvalidAction(action);
        if (noticeSha256 == bytes32(0)) revert RecallBoardZeroNoticeHash();

        id = _store(gtin14, recallClass, action, noticeSha256, noticeUri);
        _fileUnderLots(id, gtin14, lots);
        emit RecallPublished(id, msg.sender, gtin14, lots, recallClass, action, noticeSha256, noticeUri);
    }

    /// @inheritdoc IRecallBoard
    function updateStatus(uint256 id, uint8 status) external {
        Recall storage recall = _recall(id);
        if (recall.issuer != msg.sender) revert RecallBoardNotIssuer(id, msg.sender);
        if (!_registry.isActive(msg.sender)) revert RecallBoardInactiveParticipant(msg.sender);
        uint8 current = recall.status;
        if (
            status == current || status == 0 || status > STATUS_WITHDRAWN || current == STATUS_WITHDRAWN
        ) {
            revert RecallBoardInvalidStatusChange(id, current, status);
        }
        recall.status = status;
        recall.updatedAt = uint64(block.timestamp);
        emit RecallStatusUpdated(id, current, status);
    }

    /// @inheritdoc IRecallBoard
    function recallKey(string calldata gtin14, string calldata lot) external pure returns (bytes32) {
        return _key(gtin14, lot);
    }

    /// @inheritdoc IRecallBoard
    function recallIdsByKey(bytes32 key) external view returns (uint256[] memory) {
        return _idsByKey[key];
    }

    /// @inheritdoc IRecallBoard
    function getRecall(uint256 id) external view returns (Recall memory) {
        return _recall(id);
    }

    /// @inheritdoc IRecallBoard
    function recallCount() external view returns (uint256) {
        return _recalls.length;
    }

    /// @inheritdoc IRecallBoard
    function recallsFor(string calldata gtin14, string calldata lot) external view returns (uint256[] memory) {
        uint256[] storage allLots = _idsByKey[_key(gtin14, "")];
        if (bytes(lot).length == 0) return allLots;
        uint256[] storage lotIds = _idsByKey[_key(gtin14, lot)];

        // Both lists are in ascending id order: merge them so the answer is oldest first too.
        uint256 a = lotIds.length;
        uint256 b = allLots.length;
        uint256[] memory merged = new uint256[](a + b);
        uint256 i;
        uint256 j;
        for (uint256 k = 0; k < a + b; ++k) {
            if (j == b || (i < a && lotIds[i] < allLots[j])) {
                merged[k] = lotIds[i++];
            } else {
                merged[k] = allLots[j++];
            }
        }
        return merged;
    }

    /// @inheritdoc IRecallBoard
    function registry() external view returns (address) {
        return address(_registry);
    }

    function _store(
        string calldata gtin14,
        uint8 recallClass,
        uint8 action,
        bytes32 noticeSha256,
        string calldata noticeUri
    ) private returns (uint256 id) {
        Recall storage recall = _recalls.push();
        id = _recalls.length;
        recall.gtin14 = gtin14;
        recall.recallClass = recallClass;
        recall.action = action;
        recall.status = STATUS_OPEN;
        recall.noticeSha256 = noticeSha256;
        recall.noticeUri = noticeUri;
        recall.issuer = msg.sender;
        recall.publishedAt = uint64(block.timestamp);
        recall.updatedAt = uint64(block.timestamp);
    }

    function _fileUnderLots(uint256 id, string calldata gtin14, string[] calldata lots) private {
        if (lots.length == 0) {
            _idsByKey[_key(gtin14, "")].push(id);
            return;
        }
        string[] storage storedLots = _recalls[id - 1].lots;
        for (uint256 i = 0; i < lots.length; ++i) {
            string calldata lot = lots[i];
            uint256 length = bytes(lot).length;
            if (length == 0 || length > LOT_MAX_LENGTH) revert RecallBoardInvalidLot(i, lot);
            uint256[] storage ids = _idsByKey[_key(gtin14, lot)];
            // This recall's id is the newest anywhere, so a repeated lot shows as its own id last.
            if (ids.length != 0 && ids[ids.length - 1] == id) revert RecallBoardDuplicateLot(lot);
            ids.push(id);
            storedLots.push(lot);
        }
    }

    function _recall(uint256 id) private view returns (Recall storage) {
        if (id == 0 || id > _recalls.length) revert RecallBoardUnknownRecall(id);
        return _recalls[id - 1];
    }

    function _key(string calldata gtin14, string memory lot) private pure returns (bytes32) {
        return keccak256(abi.encode(gtin14, lot));
    }
}
