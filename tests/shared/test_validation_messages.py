"""The translation of pydantic's errors: fallbacks for what no service request meets today."""

from __future__ import annotations

from shared.problems import validation_problem


def test_an_unknown_error_type_reads_generically_with_pydantics_english_after_it() -> None:
    problem = validation_problem([{"loc": ("body", "website"), "type": "url_parsing", "msg": "Input should be a URL"}],
                                 {"website": "Trang web"})
    assert problem.detail == "Trang web: giá trị không hợp lệ — website: input should be a URL"


def test_a_validators_bilingual_message_is_carried_and_an_english_one_stays_in_the_english_half() -> None:
    ours = ValueError("Tổng tỷ lệ phải bằng 100 % — shares must add up to 100")
    theirs = ValueError("closes_at must be after opens_at")
    problem = validation_problem([
        {"loc": ("body",), "type": "value_error", "msg": f"Value error, {ours}", "ctx": {"error": ours}},
        {"loc": ("body",), "type": "value_error", "msg": f"Value error, {theirs}", "ctx": {"error": theirs}},
    ])
    vietnamese, _, english = problem.detail.partition(" — ")
    assert vietnamese == "Dữ liệu gửi lên: không hợp lệ: Tổng tỷ lệ phải bằng 100 %; Dữ liệu gửi lên: không hợp lệ"
    assert english.endswith("request: value error, closes_at must be after opens_at")


def test_a_template_missing_its_context_and_many_errors_still_read_in_vietnamese() -> None:
    errors = [{"loc": ("query", f"p{n}"), "type": "greater_than", "msg": "Input should be greater"} for n in range(7)]
    problem = validation_problem(errors)
    assert problem.detail.startswith("p0: giá trị không hợp lệ; p1:")
    assert "(và 2 lỗi khác) — " in problem.detail and problem.detail.endswith("(and 2 more)")
    assert len(problem.extensions["errors"]) == 7
