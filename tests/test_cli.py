import json
import subprocess
import sys

import pytest


def cnnlp(*args: str, stdin: str | bytes | None = None) -> subprocess.CompletedProcess:
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    return subprocess.run(
        [sys.executable, "-m", "chinese_news_nlp.cli", *args], input=data, capture_output=True, timeout=300
    )


def test_segment_from_stdin():
    out = cnnlp("segment", stdin="成都大数据产业规模达1039亿元\n發展經濟\n")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.decode("utf-8").splitlines()
    assert lines[0].split(" ")[0] == "成都" and "發展" in lines[1].split(" ")


def test_convert_file_in_big5(tmp_path):
    path = tmp_path / "big5.txt"
    path.write_bytes("香港特別行政區政府發表聲明\n".encode("big5"))
    out = cnnlp("convert", str(path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode("utf-8") == "香港特别行政区政府发表声明\n"


def test_convert_config():
    out = cnnlp("convert", "--config", "s2twp", stdin="我的博客\n")
    assert out.stdout.decode("utf-8") == "我的部落格\n"


@pytest.mark.parametrize("args", [["segment", "/nonexistent/file.txt"], ["convert", "--config", "bogus"]])
def test_errors_are_reported_not_raised(args):
    out = cnnlp(*args, stdin="x\n")
    assert out.returncode == 2
    assert b"cnnlp: error:" in out.stderr and b"Traceback" not in out.stderr


def test_repair_explain_says_which_characters_are_guesses():
    # UTF-8 read as GBK with replacement: some bytes are gone, their characters can only be guessed
    damaged = "本报北京12月31日讯".encode().decode("gbk", "replace")
    out = cnnlp("repair", "--explain", stdin=damaged + "\n")
    assert out.returncode == 0, out.stderr
    records = [json.loads(line) for line in out.stderr.decode("utf-8").splitlines()]
    assert records and all("guessed" in r for r in records)
    assert any(r["guessed"] for r in records) and any(not r["guessed"] for r in records)
    assert all(r["confidence"] < 0.5 for r in records if r["guessed"])


def test_process_names_the_record_files_a_folder_input_does_not_read(tmp_path):
    # a folder of .jsonl files gave no documents and said nothing of them
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("北京", encoding="utf-8")
    (folder / "sub" / "b.jsonl").write_text('{"text": "上海"}\n', encoding="utf-8")
    (folder / "c.parquet").write_bytes(b"")
    out = cnnlp("process", str(folder), "-o", str(tmp_path / "out.jsonl"), "--stages", "repair", "-q")
    assert out.returncode == 0, out.stderr
    note = out.stderr.decode("utf-8")
    assert "does not read" in note and str(folder / "c.parquet") in note and "1 more" in note
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 1  # a.txt alone
    out = cnnlp("process", str(folder / "a.txt"), "-o", str(tmp_path / "out2.jsonl"), "--stages", "repair", "-q")
    assert b"does not read" not in out.stderr
