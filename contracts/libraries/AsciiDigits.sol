// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title AsciiDigits
 * @notice The on-chain half of GS1 identifier checks: length and digits only. Check digits and
 * the GS1 character sets are validated off chain by the SDK, where they cost nothing.
 */
library AsciiDigits {
    /// @notice Whether `value` is between `minLength` and `maxLength` bytes long, all of them '0' to '9'.
    function isDigits(bytes memory value, uint256 minLength, uint256 maxLength) internal pure returns (bool) {
        uint256 length = value.length;
        if (length < minLength || length > maxLength) return false;
        for (uint256 i = 0; i < length; ++i) {
            bytes1 c = value[i];
            if (c < 0x30 || c > 0x39) return false;
        }
        return true;
    }

    /// @notice Whether `gtin` is a GTIN-14 as far as the chain checks it: 14 ASCII digits.
    function isGtin14(bytes memory gtin) internal pure returns (bool) {
        return isDigits(gtin, 14, 14);
    }
}
