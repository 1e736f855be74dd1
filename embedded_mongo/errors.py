"""Server-side errors, shaped like the ones a real MongoDB server returns."""

from __future__ import annotations

import re
from typing import Any

# Codes and names as a real server reports them (src/mongo/base/error_codes.yml).
CODE_NAMES: dict[int, str] = {
    1: "InternalError",
    2: "BadValue",
    9: "FailedToParse",
    11: "UserNotFound",
    14: "TypeMismatch",
    18: "AuthenticationFailed",
    20: "IllegalOperation",
    26: "NamespaceNotFound",
    27: "IndexNotFound",
    40: "ConflictingUpdateOperators",
    43: "CursorNotFound",
    48: "NamespaceExists",
    50: "MaxTimeMSExpired",
    59: "CommandNotFound",
    66: "ImmutableField",
    72: "InvalidOptions",
    73: "InvalidNamespace",
    85: "IndexOptionsConflict",
    86: "IndexKeySpecsConflict",
    115: "CommandNotSupported",
    136: "CappedPositionLost",
    260: "InvalidResumeToken",
    280: "ChangeStreamFatalError",
    286: "ChangeStreamHistoryLost",
    11000: "DuplicateKey",
    40573: "Location40573",
}


# Expression operators of MongoDB 7.0. mongomock-ng calls the ones it lacks "unrecognized", which
# a client takes for a mistake in its request (code 2): those are refused by name instead.
MONGODB_EXPRESSIONS = frozenset(
    re.findall(
        r"\$\w+",
        """$abs $acos $acosh $add $addToSet $allElementsTrue $and $anyElementTrue $arrayElemAt
    $arrayToObject $asin $asinh $atan $atan2 $atanh $avg $binarySize $bottom $bottomN $bsonSize
    $ceil $cmp $concat $concatArrays $cond $convert $cos $cosh $dateAdd $dateDiff $dateFromParts
    $dateFromString $dateSubtract $dateToParts $dateToString $dateTrunc $dayOfMonth $dayOfWeek
    $dayOfYear $degreesToRadians $divide $eq $exp $filter $first $firstN $floor $function
    $getField $gt $gte $hour $ifNull $in $indexOfArray $indexOfBytes $indexOfCP $isArray
    $isNumber $isoDayOfWeek $isoWeek $isoWeekYear $last $lastN $let $literal $ln $log $log10 $lt
    $lte $ltrim $map $max $maxN $median $mergeObjects $meta $millisecond $min $minN $minute $mod
    $month $multiply $ne $not $objectToArray $or $percentile $pow $radiansToDegrees $rand $range
    $reduce $regexFind $regexFindAll $regexMatch $replaceAll $replaceOne $reverseArray $round
    $rtrim $sampleRate $second $setDifference $setEquals $setField $setIntersection $setIsSubset
    $setUnion $sin $sinh $size $slice $sortArray $split $sqrt $stdDevPop $stdDevSamp $strcasecmp
    $strLenBytes $strLenCP $substr $substrBytes $substrCP $subtract $sum $switch $tan $tanh
    $toBool $toDate $toDecimal $toDouble $toInt $toLong $toLower $toObjectId $toString $toUpper
    $top $topN $trim $trunc $tsIncrement $tsSecond $type $unsetField $week $year $zip
    $bitAnd $bitOr $bitXor $bitNot $toHashedIndexKey""",
    )
)
UNRECOGNIZED_EXPRESSION = re.compile(r"Unrecognized expression '(\$\w+)'")


class CommandError(Exception):
    """A command failed; rendered as ``{ok: 0, errmsg, code, codeName}``."""

    def __init__(self, code: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra

    def to_reply(self) -> dict[str, Any]:
        reply: dict[str, Any] = {
            "ok": 0.0,
            "errmsg": self.message,
            "code": self.code,
            "codeName": CODE_NAMES.get(self.code, "UnknownError"),
        }
        if self.code == 280:
            reply["errorLabels"] = ["NonResumableChangeStreamError"]
        reply.update(self.extra)
        return reply


def not_supported(what: str) -> CommandError:
    """The backend cannot do this correctly, so the server refuses instead of guessing."""
    return CommandError(
        115,
        f"{what} is not supported by the embedded MongoDB-compatible server "
        "(it is a stand-in for tests and trials; use a real MongoDB for this feature)",
    )


def to_command_error(exc: BaseException) -> CommandError:
    """Translate a backend exception into the error a real server would send."""
    from mongomock_ng.helpers import NOTHING
    from pymongo.errors import OperationFailure

    if isinstance(exc, CommandError):
        return exc
    if isinstance(exc, OperationFailure):
        unknown = UNRECOGNIZED_EXPRESSION.fullmatch(str(exc))
        if unknown and unknown.group(1) in MONGODB_EXPRESSIONS:
            return not_supported(f"The {unknown.group(1)} aggregation expression")
        details = exc.details if isinstance(exc.details, dict) else {}
        extra = {k: details[k] for k in ("keyPattern", "keyValue") if k in details}
        if isinstance(extra.get("keyValue"), dict):
            # mongomock reports a missing field as its NOTHING sentinel, which BSON cannot encode.
            extra["keyValue"] = {
                k: None if v is NOTHING else v for k, v in extra["keyValue"].items()
            }
        code = exc.code or 2
        message = str(exc)
        if code == 11000 and "keyValue" in extra:
            message = f"E11000 duplicate key error dup key: {extra['keyValue']}"
        return CommandError(code, message, **extra)
    if isinstance(exc, NotImplementedError):
        return not_supported(f"This operation ({exc})")
    if isinstance(exc, (ValueError, TypeError, KeyError)):
        return CommandError(2, f"{type(exc).__name__}: {exc}")
    return CommandError(1, f"internal error: {type(exc).__name__}: {exc}")
