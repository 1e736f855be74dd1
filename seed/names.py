"""Deterministic, realistic names for a demo PTDTNT THCS school in Đắk Lắk.

Pupils, their parents and staff get names that follow each people's own order and customs, so
that lists, search (with and without diacritics) and sorting meet the spellings a real school
has: apostrophes ("H' Hen Niê", "Ksor H'Lan", "M'Nông"), multi-word family names ("Buôn Yă",
"Rơ Châm"), family names that come last, and gender markers that look like family names.

All name parts below were written for this project. Everything is NFC, apostrophes are the ASCII
``'`` that staff type, and every draw comes from the ``random.Random`` handed to
:class:`NameGenerator`, so the same seed always gives the same school.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "BIRTHPLACES",
    "ETHNIC_MIX_PUPILS",
    "ETHNIC_MIX_STAFF",
    "ETHNICITIES",
    "OCCUPATIONS",
    "SEXES",
    "STAFF_FEMALE_SHARE",
    "Guardians",
    "NameGenerator",
    "PersonName",
    "Sex",
]

Sex = Literal["male", "female"]
SEXES: Final[tuple[Sex, Sex]] = ("male", "female")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _parts(spec: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Parse ``"Nguyễn:38, Trần:11, Lê"`` into names and weights (weight 1 when omitted)."""
    names: list[str] = []
    weights: list[float] = []
    for item in spec.split(","):
        name, _, weight = item.strip().partition(":")
        names.append(_nfc(name.strip()))
        weights.append(float(weight) if weight else 1.0)
    return tuple(names), tuple(weights)


@dataclass(frozen=True)
class _Pool:
    """A weighted list of name parts."""

    names: tuple[str, ...]
    weights: tuple[float, ...]

    @classmethod
    def of(cls, spec: str) -> _Pool:
        return cls(*_parts(spec))

    def draw(self, rng: random.Random, *, exclude: str | None = None) -> str:
        pairs = [(n, w) for n, w in zip(self.names, self.weights, strict=True) if n != exclude]
        names, weights = zip(*pairs, strict=True)
        return rng.choices(names, weights)[0]


# Ethnicities use their Vietnamese names; J'rai is officially "Gia Rai", H'Mông is "Mông".
EDE: Final = "Ê Đê"
JRAI: Final = "Gia Rai"
MNONG: Final = "M'Nông"
KINH: Final = "Kinh"
TAY: Final = "Tày"
NUNG: Final = "Nùng"
MUONG: Final = "Mường"
THAI: Final = "Thái"
DAO: Final = "Dao"
HMONG: Final = "Mông"
ETHNICITIES: Final[tuple[str, ...]] = (EDE, JRAI, MNONG, KINH, TAY, NUNG, MUONG, THAI, DAO, HMONG)

# A boarding school for ethnic-minority pupils in Đắk Lắk: mostly the province's indigenous
# peoples, northern minorities who settled there since the 1980s, and a small Kinh quota.
ETHNIC_MIX_PUPILS: Final[Mapping[str, float]] = {
    EDE: 0.45,
    JRAI: 0.12,
    MNONG: 0.14,
    KINH: 0.05,
    TAY: 0.07,
    NUNG: 0.07,
    MUONG: 0.03,
    THAI: 0.03,
    DAO: 0.02,
    HMONG: 0.02,
}

# Teachers and office staff: mostly Kinh, with local minority colleagues.
ETHNIC_MIX_STAFF: Final[Mapping[str, float]] = {
    KINH: 0.62,
    EDE: 0.16,
    JRAI: 0.04,
    MNONG: 0.06,
    TAY: 0.05,
    NUNG: 0.03,
    MUONG: 0.02,
    THAI: 0.02,
}
STAFF_FEMALE_SHARE: Final = 0.7

# Given names shared by Kinh and by peoples who name the Kinh way (Tày, Nùng, Mường...).
_VI_MALE = (
    "An, Anh:2, Bảo, Bình, Cường, Công, Dũng, Duy:2, Đạt:2, Đức:2, Hải, Hiếu, Hoàng, Hùng, Huy:2,"
    " Khang, Khánh, Khoa, Kiên, Lâm, Long, Lợi, Mạnh, Minh:3, Nam:2, Nghĩa, Phong, Phúc, Quân,"
    " Quang, Quý, Sơn, Tài, Tâm, Thắng, Thành, Thịnh, Tiến, Toàn, Trung, Tú, Tuấn:2, Việt, Vinh"
)
_VI_FEMALE = (
    "An, Anh:2, Chi, Dung, Duyên, Giang, Hà, Hạnh, Hằng, Hiền, Hoa, Hồng, Hương:2, Huyền, Lan,"
    " Liên, Linh:3, Loan, Ly, Mai:2, My, Nga, Ngân, Ngọc:2, Nhi:2, Nhung, Oanh, Phương, Quỳnh,"
    " Thảo:2, Thư, Thủy, Trang:2, Trâm, Tuyết, Uyên, Vân, Vy, Xuân, Yến"
)


@dataclass(frozen=True)
class _Culture:
    """How one people forms personal names and passes on the family (clan) name."""

    ethnicity: str
    style: Literal["given_first", "family_first", "jrai", "mnong"]
    families: _Pool
    male_given: _Pool
    female_given: _Pool
    male_middle: _Pool | None = None
    female_middle: _Pool | None = None
    # Matrilineal peoples pass the mother's clan name to the children; the others the father's.
    matrilineal: bool = False
    # Clan exogamy: husband and wife never share a clan name.
    exogamous: bool = False


_CULTURES: Final[Mapping[str, _Culture]] = {
    # Ê Đê: "Y" (men) or "H'" (women) + given name + clan name, e.g. "Y Bhim Mlô", "H' Hen Niê".
    # Matrilineal: children take their mother's clan, and marrying within one's clan is taboo.
    EDE: _Culture(
        EDE,
        "given_first",
        _Pool.of(
            "Niê:6, Mlô:4, Êban:3, Byă:2, Ksơr:2, Adrơng:2, Buôn Yă:2, Hwing, Knul, Kbuôr,"
            " Ayun, Mdrang, Ênuôl, Niê Kdăm, Alêô, Buôn Krông, Hđơk, Ktla, Kpơr, Mjâu, Bkrông"
        ),
        _Pool.of(
            "Bhim, Jut, Blô, Bhiết, Kuăn, Dhăm, Đhung, Khuê, Kông, Ngơn, Nuôl, Tlang, Thuôn, Wang,"
            " Yơn, Hlinh, Krai, Mrang, Bhing, Duôn, Rit, Sang, Tô, Mil, Kăp, Hiu, Dơk, Plô, Wik,"
            " Sơn:2, Thái, Long, Phương, Quang, Minh:2, Tuấn, Khánh, Nam, Đức, Huy"
        ),
        _Pool.of(
            "Hen, Ben, Blan, Blin, Dhiêm, Hiên, Juê, Lik, Nhi:2, Rim, Wer, Yam, Yơn, Drin, Bia,"
            " Mlai, Hmưi, Jum, Khăp, Nga, Linh:2, Mai:2, Hoa, Loan, Duyên, Lan, Ngọc, Trang, Vy,"
            " Nhung, Thu, Xíu, Ruôn, Diệp"
        ),
        matrilineal=True,
        exogamous=True,
    ),
    # Gia Rai (J'rai): clan name first, "H'" joined to women's given names: "Siu Blơi",
    # "Ksor H'Lan"; some records add "Thị" ("Ksor Thị H'Lan"). Matrilineal and exogamous.
    JRAI: _Culture(
        JRAI,
        "jrai",
        _Pool.of(
            "Ksor:5, Siu:4, Rơ Châm:3, Rơ Mah:3, Nay:3, Kpă:2, Rah Lan:2, Puih:2, Rơ Ô,"
            " Rơ Lan, Kpuih, Rcom, Hiao, Ksơr"
        ),
        _Pool.of(
            "Blơi, Tuk, Hlim, Phun, Djuk, Nhá, Yuk, Dưng, Chung, Kơi, Blong, Dik, Glong, Hyưng,"
            " Bốp, Thăm, Prông, Đoan, Hlai, Ngư, Rơh, Thơm, Kim, Lâm, Sơn, Thuận, Vinh"
        ),
        _Pool.of(
            "Lan:2, Nai, Mai:2, Thu, Blin, Yưn, Lê, Rin, Jum, Hiền, Dung, Nhung, Plin, Yăng,"
            " Ngăn, Hơn, Lưk, Bơ, Hoa, Ly, Vi, Thảo, Ưa, Nhi"
        ),
        matrilineal=True,
        exogamous=True,
    ),
    # M'Nông: two customs in the province. (a) Gender markers in front: "Điểu" for men, "Thị"
    # for women ("Điểu Kré", "Thị Ngân"); records file the marker as the family name, and it
    # follows the person's sex, not a parent. (b) As the Ê Đê do: "Y"/"H'" + given + clan
    # ("Y Kông Mlô", "H' Rin Bu Krông"), matrilineal. Clan names below serve custom (b).
    MNONG: _Culture(
        MNONG,
        "mnong",
        _Pool.of("Mlô:3, Bu Krông:2, Liêng Hót:2, Lê:2, Bon Ding, Buôn Dap, Rlăm"),
        _Pool.of(
            "Kré, Đing, Brê, Lơi, Nâm, Ting, Du, Chăm, Bình, Lâm, Hăng, Jơi, Rông, Brông,"
            " Thin, Sơn, Kông, Ngai, Tơ, Ben, Dôn, Lư, Thuận, Toàn"
        ),
        _Pool.of(
            "Ngọc, Ngân, Hoa, Dơn, Blanh, Rin, Lam, Mai, Thúy, Hăm, Bri, Yên, Nhung, Jên, Rơn,"
            " Điêu, Sa, Thơm, Linh, Ly"
        ),
        matrilineal=True,
        exogamous=True,
    ),
    # Kinh and the peoples below: family + middle + given ("Nguyễn Thị Lan"), patrilineal.
    KINH: _Culture(
        KINH,
        "family_first",
        _Pool.of(
            "Nguyễn:38, Trần:11, Lê:9, Phạm:7, Hoàng:3, Huỳnh:2, Phan:4, Vũ:2, Võ:2, Đặng:2,"
            " Bùi:2, Đỗ:1.4, Hồ:1.3, Ngô:1.3, Dương:1, Lý:0.5, Đinh:0.8, Trương:0.8, Mai:0.5,"
            " Cao:0.5, Tạ:0.3, Lương:0.5"
        ),
        _Pool.of(_VI_MALE),
        _Pool.of(_VI_FEMALE),
        _Pool.of(
            "Văn:8, Hữu:2, Minh:3, Đức:2, Quang:2, Công, Thanh, Xuân, Đình, Ngọc, Quốc, Gia, Anh"
        ),
        _Pool.of(
            "Thị:9, Ngọc:3, Thanh:2, Thu:2, Thị Thu, Thị Ngọc, Kim, Mỹ, Phương, Bảo, Khánh,"
            " Hồng, Thùy, Minh, Hoài"
        ),
    ),
    TAY: _Culture(
        TAY,
        "family_first",
        _Pool.of("Hoàng:4, Nông:4, Ma:2, Hà:2, Lường, Triệu, Lục, Lâm, Bế, Đàm, Hứa, Chu"),
        _Pool.of(_VI_MALE + ", Thượng, Pác, Chiến:2"),
        _Pool.of(_VI_FEMALE + ", Thơm, Nhàn, Mến"),
        _Pool.of("Văn:8, Đức, Xuân, Minh"),
        _Pool.of("Thị:9, Thu, Hồng"),
    ),
    NUNG: _Culture(
        NUNG,
        "family_first",
        _Pool.of(
            "Nông:3, Hoàng:3, Lương:2, Vi:2, Mông, Lăng, Chu, Hứa, Lục, Sầm, Dương, Tô, Triệu"
        ),
        _Pool.of(_VI_MALE + ", Sáng, Slấu, Páo"),
        _Pool.of(_VI_FEMALE + ", Mỷ, Slao, Thoan"),
        _Pool.of("Văn:8, Đức, Minh"),
        _Pool.of("Thị:9, Thu"),
    ),
    MUONG: _Culture(
        MUONG,
        "family_first",
        _Pool.of("Bùi:4, Đinh:3, Quách:2, Hà:2, Bạch, Cao, Xa"),
        _Pool.of(_VI_MALE + ", Mùi, Khôi"),
        _Pool.of(_VI_FEMALE + ", Mến, Thắm"),
        _Pool.of("Văn:8, Đức, Công"),
        _Pool.of("Thị:9, Hồng"),
    ),
    THAI: _Culture(
        THAI,
        "family_first",
        _Pool.of("Lò:3, Lường:2, Lô:2, Vi:2, Lang:2, Hà:2, Quàng, Cầm, Lữ, Sầm, Kha, Lộc"),
        _Pool.of(
            "Khăm, Pánh, Phăn, Xôm, Inh, Ún, Sơn, Thanh, Quý, Tuân, Chiến, Duy, Hùng, Kiên, Lả,"
            " Bun, Phong"
        ),
        _Pool.of(
            "Ún, Xuân, Thơm, Pặn, Bích, Hoa, Mai, Nga, Phương, Thu, Thủy, Ương, Xim, Lả, Hiên, Ngần"
        ),
        _Pool.of("Văn:8, Đức"),
        _Pool.of("Thị:9"),
    ),
    DAO: _Culture(
        DAO,
        "family_first",
        _Pool.of("Triệu:4, Bàn:3, Đặng:3, Lý:2, Phùng, Chảo, Tẩn"),
        _Pool.of("Phin, Vần, Chòi, Sinh, Quẩy, Dền, Kiên, Lợi, Tiến, Hải, Long, Tâm, Chàn, Lìn"),
        _Pool.of("Mùi, Say, Xuân, Nhất, Kiều, Liên, Dung, Hoa, Mai, Lan, Nguyệt, Mẩy, Chiêm"),
        _Pool.of("Văn:6, Tài:2, Phúc, Tiến, Kim"),
        _Pool.of("Thị:9, Mùi"),
    ),
    # Mông: clan name + "A"/"Seo"/"Văn" (men) or "Thị"/"Mí" (women) + given: "Giàng A Páo".
    # Patrilineal clans, strictly exogamous.
    HMONG: _Culture(
        HMONG,
        "family_first",
        _Pool.of("Giàng:3, Vàng:3, Lầu:2, Sùng:2, Mùa:2, Thào:2, Hờ, Lý, Hạng, Vừ, Tráng, Chang"),
        _Pool.of(
            "Páo, Chư, Dơ, Sử, Tủa, Lử, Sính, Dình, Chinh, Phử, Vư, Của, Nhà, Tếnh, Dế, Pó, Sình"
        ),
        _Pool.of("Mỷ, Dợ, Sua, Mai, Chớ, Pà, Dung, Xia, Sí, Mẩy, Lan, Say, Dua, Mua, Chía"),
        _Pool.of("A:5, Seo:3, Văn:3, Chứ"),
        _Pool.of("Thị:6, Mí:3"),
        exogamous=True,
    ),
}

_MNONG_MARKERS: Final[Mapping[Sex, str]] = {"male": "Điểu", "female": "Thị"}
_MNONG_MARKER_SHARE: Final = 0.55
_EDE_PREFIX: Final[Mapping[Sex, str]] = {"male": "Y", "female": "H'"}
# Records write women's names both ways: "H' Hen" and "H'Hen"; search must find either.
_EDE_JOINED_H_SHARE: Final = 0.25
_JRAI_THI_SHARE: Final = 0.1

OCCUPATIONS: Final[Mapping[str, float]] = {
    "Làm nông": 30,
    "Làm rẫy": 18,
    "Trồng cà phê": 8,
    "Chăn nuôi": 3,
    "Công nhân": 6,
    "Công nhân cao su": 3,
    "Lao động tự do": 8,
    "Buôn bán": 6,
    "Nội trợ": 5,
    "Thợ xây": 2,
    "Giáo viên": 3,
    "Cán bộ": 3,
    "Y tá": 1,
    "Bộ đội": 1,
    "Công an": 1,
    "Tài xế": 1,
}
_FEMALE_ONLY_OCCUPATIONS: Final = frozenset({"Nội trợ"})

# Places of birth as birth certificates of pupils born around 2010-2015 state them: the
# commune / district / province names in force before the 2025 reorganisation (no district
# level since 1 July 2025; Đắk Lắk merged with Phú Yên), which are what school records keep.
BIRTHPLACES: Final[tuple[str, ...]] = tuple(
    _nfc(f"{place}, tỉnh Đắk Lắk")
    for place in (
        "Xã Ea Tul, huyện Cư M'gar",
        "Xã Ea Kiết, huyện Cư M'gar",
        "Xã Cuôr Đăng, huyện Cư M'gar",
        "Xã Krông Na, huyện Buôn Đôn",
        "Xã Ea Wer, huyện Buôn Đôn",
        "Thị trấn Ea Súp, huyện Ea Súp",
        "Xã Ea Rốk, huyện Ea Súp",
        "Xã Ya Tờ Mốt, huyện Ea Súp",
        "Xã Ea Sol, huyện Ea H'leo",
        "Xã Dliê Yang, huyện Ea H'leo",
        "Xã Cư Pui, huyện Krông Bông",
        "Xã Yang Mao, huyện Krông Bông",
        "Xã Đắk Phơi, huyện Lắk",
        "Xã Bông Krang, huyện Lắk",
        "Xã Yang Tao, huyện Lắk",
        "Xã Dur Kmăl, huyện Krông Ana",
        "Xã Krông Jing, huyện M'Đrắk",
        "Xã Cư Prao, huyện M'Đrắk",
        "Xã Ea Kly, huyện Krông Pắc",
        "Xã Vụ Bổn, huyện Krông Pắc",
        "Xã Cư Né, huyện Krông Búk",
        "Xã Dliê Ya, huyện Krông Năng",
        "Xã Cư Huê, huyện Ea Kar",
        "Xã Ea Tiêu, huyện Cư Kuin",
        "Xã Ea Kao, thành phố Buôn Ma Thuột",
        "Xã Cư Êbur, thành phố Buôn Ma Thuột",
        "Xã Ea Siên, thị xã Buôn Hồ",
    )
)


@dataclass(frozen=True)
class PersonName:
    """One person's name, split the way that person's people understands it.

    ``given_name`` is the name the person is called by, including the Ê Đê / M'Nông sex prefix
    ("Y Bhim", "H' Hen") and Gia Rai "H'" ("H'Lan"); ``middle_name`` (tên đệm) is empty for
    peoples that do not use one. ``full_name`` joins the parts in the people's own order.
    """

    full_name: str
    family_name: str
    given_name: str
    ethnicity: str
    sex: Sex
    middle_name: str = ""

    def __str__(self) -> str:
        return self.full_name


@dataclass(frozen=True)
class Guardians:
    """A pupil's parents, of the pupil's people."""

    father: PersonName
    mother: PersonName


class NameGenerator:
    """Draws names from one ``random.Random``; same seed, same sequence of names."""

    def __init__(self, rng: random.Random | int) -> None:
        self._rng = rng if isinstance(rng, random.Random) else random.Random(rng)

    def sex(self, *, female_share: float = 0.5) -> Sex:
        return "female" if self._rng.random() < female_share else "male"

    def pupil(self, sex: Sex | None = None, *, ethnicity: str | None = None) -> PersonName:
        """A pupil; the people is drawn from :data:`ETHNIC_MIX_PUPILS` unless given."""
        return self.person(ethnicity or self._ethnicity(ETHNIC_MIX_PUPILS), sex or self.sex())

    def staff(self, sex: Sex | None = None, *, ethnicity: str | None = None) -> PersonName:
        """A teacher or office worker, drawn from :data:`ETHNIC_MIX_STAFF`."""
        sex = sex or self.sex(female_share=STAFF_FEMALE_SHARE)
        return self.person(ethnicity or self._ethnicity(ETHNIC_MIX_STAFF), sex)

    def person(self, ethnicity: str, sex: Sex, *, family_name: str | None = None) -> PersonName:
        """A name of ``ethnicity``; ``family_name`` forces the clan / family name."""
        culture = _culture(ethnicity)
        if sex not in SEXES:
            raise ValueError(f"sex must be one of {SEXES}, not {sex!r}")
        family = family_name or culture.families.draw(self._rng)
        if culture.style == "given_first":
            return self._given_first(culture, sex, family)
        if culture.style == "jrai":
            return self._jrai(culture, sex, family)
        if culture.style == "mnong":
            uses_markers = family_name in _MNONG_MARKERS.values() or (
                family_name is None and self._rng.random() < _MNONG_MARKER_SHARE
            )
            if uses_markers:
                return self._mnong_markers(culture, sex)
            return self._given_first(culture, sex, family)
        return self._family_first(culture, sex, family)

    def parents(self, child: PersonName) -> Guardians:
        """Father and mother of ``child``, of the same people, following its lineage custom.

        Ê Đê, Gia Rai and M'Nông (clan custom) are matrilineal: the child carries the mother's
        clan name and the father belongs to another clan. Kinh, Tày, Nùng, Mường, Thái, Dao and
        Mông are patrilineal: the child carries the father's family name. M'Nông names with the
        Điểu/Thị markers carry no lineage: the father is "Điểu …", the mother "Thị …".
        """
        culture = _culture(child.ethnicity)
        if culture.style == "mnong" and child.family_name in _MNONG_MARKERS.values():
            father = self._mnong_markers(culture, "male")
            mother = self._mnong_markers(culture, "female")
        elif culture.matrilineal:
            mother = self.person(child.ethnicity, "female", family_name=child.family_name)
            father_family = culture.families.draw(self._rng, exclude=child.family_name)
            father = self.person(child.ethnicity, "male", family_name=father_family)
        else:
            father = self.person(child.ethnicity, "male", family_name=child.family_name)
            exclude = child.family_name if culture.exogamous else None
            mother_family = culture.families.draw(self._rng, exclude=exclude)
            mother = self.person(child.ethnicity, "female", family_name=mother_family)
        return Guardians(father=father, mother=mother)

    def occupation(self, sex: Sex | None = None) -> str:
        """A parent's occupation as written on the record book's front page."""
        jobs = [
            (job, weight)
            for job, weight in OCCUPATIONS.items()
            if sex == "female" or job not in _FEMALE_ONLY_OCCUPATIONS
        ]
        return self._rng.choices([j for j, _ in jobs], [w for _, w in jobs])[0]

    def birthplace(self) -> str:
        """A commune of Đắk Lắk, e.g. "Xã Ea Tul, huyện Cư M'gar, tỉnh Đắk Lắk"."""
        return self._rng.choice(BIRTHPLACES)

    # --- one builder per naming custom ---------------------------------------------------

    def _ethnicity(self, mix: Mapping[str, float]) -> str:
        return self._rng.choices(list(mix), list(mix.values()))[0]

    def _given(self, culture: _Culture, sex: Sex) -> str:
        pool = culture.male_given if sex == "male" else culture.female_given
        return pool.draw(self._rng)

    def _given_first(self, culture: _Culture, sex: Sex, family: str) -> PersonName:
        given = self._given(culture, sex)
        prefix = _EDE_PREFIX[sex]
        joined = sex == "female" and self._rng.random() < _EDE_JOINED_H_SHARE
        called = f"{prefix}{given}" if joined else f"{prefix} {given}"
        return _name(culture, sex, f"{called} {family}", family, called)

    def _jrai(self, culture: _Culture, sex: Sex, family: str) -> PersonName:
        given = self._given(culture, sex)
        if sex == "male":
            return _name(culture, sex, f"{family} {given}", family, given)
        called = f"H'{given}"
        if self._rng.random() < _JRAI_THI_SHARE:
            return _name(culture, sex, f"{family} Thị {called}", family, called, "Thị")
        return _name(culture, sex, f"{family} {called}", family, called)

    def _mnong_markers(self, culture: _Culture, sex: Sex) -> PersonName:
        marker = _MNONG_MARKERS[sex]
        given = self._given(culture, sex)
        return _name(culture, sex, f"{marker} {given}", marker, given)

    def _family_first(self, culture: _Culture, sex: Sex, family: str) -> PersonName:
        middles = culture.male_middle if sex == "male" else culture.female_middle
        if middles is None:
            raise ValueError(f"{culture.ethnicity} names have no middle-name list")
        middle = middles.draw(self._rng)
        given = self._given(culture, sex)
        return _name(culture, sex, f"{family} {middle} {given}", family, given, middle)


def _culture(ethnicity: str) -> _Culture:
    try:
        return _CULTURES[_nfc(ethnicity)]
    except KeyError:
        raise ValueError(f"no names for ethnicity {ethnicity!r}; known: {ETHNICITIES}") from None


def _name(
    culture: _Culture, sex: Sex, full: str, family: str, given: str, middle: str = ""
) -> PersonName:
    return PersonName(
        full_name=_nfc(full),
        family_name=_nfc(family),
        given_name=_nfc(given),
        ethnicity=culture.ethnicity,
        sex=sex,
        middle_name=_nfc(middle),
    )
