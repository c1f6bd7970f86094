import random
import unicodedata

from ntmtrack.read.names import fold, nfc, sort_key, split_kind_prefix


def test_fold_ignores_case_diacritics_and_d_stroke():
    assert fold("Thọ Thế") == "tho the"
    assert fold("ĐỒNG TIẾN") == "dong tien"
    assert fold(unicodedata.normalize("NFD", "Dân Lý")) == "dan ly"
    # old and new tone placement fold alike
    assert fold("Thái Hòa") == fold("Thái Hoà")


def test_nfc_composes_and_collapses_spaces():
    decomposed = unicodedata.normalize("NFD", "Thọ  Thế ")
    assert nfc(decomposed) == "Thọ Thế"
    assert len(nfc(decomposed)) == 7


def test_kind_prefix_is_recognised():
    assert split_kind_prefix("xa dan ly") == ("dan ly", ("commune",))
    assert split_kind_prefix("tt nua") == ("nua", ("town",))
    assert split_kind_prefix("thi tran nua") == ("nua", ("town",))
    assert split_kind_prefix("dan ly") is None


def test_vietnamese_alphabetical_order():
    names = ["Đồng Tiến", "Dân Lý", "An Nông", "Âm Thanh", "Ăn Uống", "Bắc", "Ơn", "Ông", "Ong",
             "Ưu", "Uy", "Yên", "Xuân", "Hòa", "Hoa", "Hỏa", "Hóa", "Họa", "Hõa", "An", "Anh"]
    expected = ["An", "An Nông", "Anh", "Ăn Uống", "Âm Thanh", "Bắc", "Dân Lý", "Đồng Tiến",
                "Hoa", "Hòa", "Hỏa", "Hõa", "Hóa", "Họa", "Ong", "Ông", "Ơn", "Uy", "Ưu",
                "Xuân", "Yên"]
    shuffled = names[:]
    random.Random(4).shuffle(shuffled)
    assert sorted(shuffled, key=sort_key) == expected


def test_letters_before_tones_before_case():
    # ICU vi: compare all letters first; "Hà Nam" vs "Ha Noi": letters differ at 'm'/'o'
    assert sorted(["Ha Noi", "Hà Nam"], key=sort_key) == ["Hà Nam", "Ha Noi"]
    assert sorted(["an", "An"], key=sort_key) == ["an", "An"]


def test_sort_key_is_plain_byte_order_in_sqlite():
    import sqlite3

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (name TEXT, k TEXT)")
    names = ["Đồng Lợi", "Dân Lực", "Dân Lý", "Đông", "Thọ Thế", "Thọ Phú", "Thái Hòa"]
    conn.executemany("INSERT INTO t VALUES (?, ?)", [(n, sort_key(n)) for n in names])
    ordered = [r[0] for r in conn.execute("SELECT name FROM t ORDER BY k")]
    assert ordered == ["Dân Lực", "Dân Lý", "Đông", "Đồng Lợi", "Thái Hòa", "Thọ Phú", "Thọ Thế"]
