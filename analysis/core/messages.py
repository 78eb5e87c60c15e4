"""The one message catalogue: every finding and console message in Japanese and English.

Planners read the Japanese text (console, reports); the English text is kept for logs
(``--verbose``) and for developers. A message is a code plus parameters, rendered here,
so the same finding reads the same wherever it appears.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

FRONT_DOOR = "ANALYSIS_FRONT_DOOR"
"""Set by ``tasks.py`` to what the person typed (``py tasks.py`` on Windows, ``make`` or
``python3 tasks.py`` elsewhere), so that a message names a command they can type again."""

CATALOGUE: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- files
    "file-not-found": ("ファイルがありません", "file not found"),
    "is-directory": ("ファイルではなくフォルダです", "a folder, not a file"),
    "not-a-regular-file": (
        "通常のファイルではありません（パイプや装置などは読みません）",
        "not a regular file (pipes, devices and the like are not read)",
    ),
    "shortcut": (
        "ショートカットです。ショートカットの元のファイルを指定してください",
        "a Windows shortcut (.lnk): give the file it points to",
    ),
    "symlink-loop": (
        "シンボリックリンクが循環していて、ファイルにたどり着けません",
        "a loop of symbolic links: it never reaches a file",
    ),
    "broken-link": (
        "リンク（ショートカット）の先のファイルがありません",
        "the link points to a file that does not exist",
    ),
    "too-large": (
        "ファイルが大きすぎます（{size} MB、上限 {limit} MB）。必要な表だけを保存したファイルを指定してください",
        "the file is too large ({size} MB, limit {limit} MB); save only the tables needed",
    ),
    "sheet-too-large": (
        "ブックの表が大きすぎます（シート「{sheet}」までで {limit} セルを超えます）。必要な表だけを残して保存し直してください",
        "the workbook spans more than {limit} cells (reached on sheet {sheet}); keep only the tables needed",
    ),
    "shared-strings-too-large": (
        "ブックの文字列が大きすぎます（共有文字列が {limit} MB を超えます）。必要な表だけを残して保存し直してください",
        "the workbook's shared strings exceed {limit} MB; keep only the tables needed",
    ),
    "no-permission": ("読み取りの権限がありません", "permission denied"),
    "read-failed": ("読み込めません（{detail}）", "cannot be read ({detail})"),
    "decode": (
        "文字コードを UTF-8 または Shift_JIS として読めません。Excel で「CSV UTF-8」として保存してください",
        "cannot decode the file as UTF-8 or Shift_JIS (cp932); save it as 'CSV UTF-8' from Excel",
    ),
    "binary": (
        "文字の CSV ファイルではありません（Excel のファイルなら拡張子を .xlsx にしてください）",
        "not a text CSV file (an Excel workbook must end in .xlsx)",
    ),
    "unsupported-type": (
        "拡張子 {suffix} のファイルは読めません。CSV（.csv）か Excel（.xlsx）で保存してください",
        "unsupported file type {suffix} (use .csv or .xlsx)",
    ),
    "xls-format": (
        "古い Excel 形式（.xls）は読めません。Excel で「Excel ブック（.xlsx）」として保存し直してください",
        "the old Excel format (.xls) cannot be read; save it as .xlsx",
    ),
    "bad-xlsx": (
        "Excel ファイル（.xlsx）として読めません。壊れているか、途中までしか保存されていないか、別の形式のファイルです（{detail}）",
        "cannot be read as an .xlsx workbook: damaged, truncated or another format ({detail})",
    ),
    "layout-sheet-skipped": (
        "表として読めないシートを読み飛ばしました（{reason}）",
        "sheet skipped ({reason})",
    ),
    "empty-file": ("データがありません（空のファイルです）", "the file is empty"),
    "csv-quote": (
        'この行で始まる引用符（"）が閉じられていません',
        'a quote (") opened on this line is never closed',
    ),
    "csv-fields": (
        "この行には {found} 個の値があります（見出しは {expected} 列）。余分なカンマや引用符がないか確認してください",
        "this row has {found} fields but the header has {expected}; check for a stray comma or quote",
    ),
    "layout": (
        "表の形式を読み取れません（{reason}）。読める形式：{layouts}。例は data/raw/examples/ にあります",
        "cannot read the table layout ({reason}); accepted layouts: {layouts}; see data/raw/examples/",
    ),
    # ---------------------------------------------------------------- columns and cells
    "schema-missing": (
        "必要な列「{column}」がありません（必要な列：{required}）",
        "missing column {column} (expected {required})",
    ),
    "schema-unexpected": (
        "想定していない列です（使える列：{allowed}）",
        "unexpected column (allowed: {allowed})",
    ),
    "skipped-columns": (
        "計算値などの列を読み飛ばしました：{columns}",
        "derived or descriptive columns skipped: {columns}",
    ),
    "skipped-rows": (
        "年齢区分ではない行を読み飛ばしました：{labels}（{count}行）",
        "rows that are not age groups skipped: {labels} ({count} rows)",
    ),
    "missing-value": ("空欄です", "empty cell"),
    "missing-actual": (
        "空欄です（実績がまだなければ行を削除してください）",
        "empty cell (delete the row if there is no actual yet)",
    ),
    "not-a-number": ("「{value}」は数値として読めません", "{value!r} is not a number"),
    "not-a-year": ("「{value}」は年として読めません", "{value!r} is not a year"),
    "not-people": ("「{value}」は人数として読めません", "{value!r} is not a number of people"),
    "negative-population": ("人口が負の値（{value:g}）です", "negative population {value:g}"),
    "zero-population": ("人口が 0 です", "the population is 0"),
    "fractional-people": (
        "{value:g} は人数として整数ではありません",
        "{value:g} is not a whole number of people",
    ),
    "fractional-year": ("{value:g} は年として整数ではありません", "{value:g} is not a whole year"),
    "year-range": (
        "{year}年は読み込める年の範囲（{low}～{high}年）の外です",
        "year {year} is outside the plausible range {low}–{high}",
    ),
    "unknown-age-group": (
        "年齢区分「{value}」が分かりません（使える区分：{allowed}）",
        "unknown age group {value!r} (use {allowed})",
    ),
    "duplicate": (
        "{what} の行が重複しています（最初は {first} 行目）",
        "duplicate row for {what} (first given on line {first})",
    ),
    "outside-plan": (
        "圏域外の市町村 {count:,} 件（{rows:,} 行）を除外しました（例：{examples}）",
        "{count:,} municipalities outside the plan ({rows:,} rows) left out (e.g. {examples})",
    ),
    "near-municipality": (
        "「{value}」は圏域の市町の名前と一致しません{rows}。{name}の誤りではありませんか"
        "（圏域外の市町村として除外はしません。正しい名前に直してください）",
        "{value!r} is not the name of a municipality of the plan{rows_en}: did you mean {name}? "
        "(not left out as outside the plan)",
    ),
    "no-plan-municipality": (
        "圏域の市町（{known}）の行が1行もありません（市町名または市町村コードを確認してください）",
        "no row for any municipality of the plan ({known}); check the names or codes",
    ),
    "missing-rows": (
        "{count:,} 件の組み合わせの行がありません：{examples}（各市町について、すべての年・年齢区分が必要です）",
        "{count:,} combinations are missing: {examples} (every municipality needs every year and age group)",
    ),
    # ---------------------------------------------------------------- population actuals
    "actual-unknown-municipality": (
        "「{value}」は圏域の市町ではありません（使える名前：{known}）",
        "{value!r} is not a municipality of the plan (use {known})",
    ),
    "actual-unknown-kind": (
        "人口の種別「{value}」が分かりません（国勢調査・住民基本台帳）",
        "unknown kind of count {value!r} (国勢調査 census or 住民基本台帳 resident register)",
    ),
    "actual-not-a-date": (
        "「{value}」は基準日として読めません（例：2025-10-01、2025年10月1日、令和7年10月1日）",
        "{value!r} is not a date (e.g. 2025-10-01, 2025年10月1日, 令和7年10月1日)",
    ),
    "actual-date-needs-day": (
        "「{value}」は年だけです。住民基本台帳の人口は基準日を年月日で書いてください"
        "（年だけで書けるのは国勢調査（10月1日）だけです）",
        "{value!r} is a year alone: a resident-register count needs its date (only a census, "
        "1 October, may be given by its year)",
    ),
    "actual-future-date": (
        "基準日 {date} は今日（{today}）より後です",
        "the date {date} is after today ({today})",
    ),
    "actual-mixed-kinds": (
        "{date} の行に{kind}と{first_kind}（{first} 行目）が混在しています。国勢調査と住民基本台帳は別の人口なので、"
        "1つの基準日にはどちらか一方だけを書いてください",
        "{date} mixes {kind} with {first_kind} (line {first}): census and resident-register "
        "counts are different counts; give one kind per date",
    ),
    "actual-missing-groups": (
        "{what} の{groups}の行がありません（年齢3区分がすべて必要です）",
        "{what} lacks {groups} (all three age groups are needed)",
    ),
    "actual-total-mismatch": (
        "{what} の総数 {total:,}人が年齢3区分の和 {sum:,}人と一致しません（差 {difference:+,}人）",
        "{what}: the total {total:,} is not the sum of the three age groups {sum:,} "
        "(difference {difference:+,})",
    ),
    "actual-zero-total": (
        "{what} の人口が年齢3区分とも 0 です（高齢化率を計算できません）",
        "{what}: every age group is 0 (no aging rate can be computed)",
    ),
    "actual-region-mismatch": (
        "圏域 {what} の {value:,}人が一関市と平泉町の和{sum}と一致しません"
        "（圏域は市町の和から計算します。圏域の行は消してもかまいません）",
        "圏域 {what}: {value:,} is not the sum of the municipalities {sum} (the 圏域 is "
        "computed from them; its rows may be deleted)",
    ),
    # ---------------------------------------------------------------- age × sex
    "sheets-left-out": (
        "圏域外の市町村などのシート {count} 枚を読み飛ばしました（例：{examples}）",
        "{count} sheets of other municipalities left out (e.g. {examples})",
    ),
    "municipality-missing": (
        "圏域の市町のデータがありません：{missing}（市町村コードまたは名称のシートか行が必要です）",
        "no data for {missing} (a sheet or rows with its code or name are needed)",
    ),
    "unknown-sex": (
        "男女の区分「{value}」が分かりません（男・女・男女計）",
        "unknown sex {value!r} (use 男, 女 or 男女計)",
    ),
    "unknown-age-class": (
        "年齢階級「{value}」が分かりません（0～4歳、5～9歳、…、95歳以上、総数）",
        "unknown age group {value!r} (use 0～4歳 … 95歳以上, 総数)",
    ),
    "year-range-simple": (
        "{year:g}年は読み込める年（{low}～{high}年の整数）ではありません",
        "year {year:g} is not a whole year in {low}–{high}",
    ),
    "open-group": (
        "最後の年齢階級（「95歳以上」など、上限のない階級）が1つに決まりません：{found}",
        "there must be exactly one open age group (such as 95+); found: {found}",
    ),
    "age-beyond-open": (
        "{groups} は最後の階級 {open} と重なります",
        "{groups} overlap the open group {open}",
    ),
    "missing-rows-agesex": (
        "{count:,} 件の組み合わせの値がありません：{examples}（市町・年・男女・年齢階級のすべてが必要です）",
        "{count:,} combinations are missing: {examples} (every municipality, year, sex and age group is needed)",
    ),
    "sexes-sum": (
        "{what}：男＋女＝{sum}人ですが、男女計は{both}人です",
        "{what}: male + female = {sum}, but both sexes = {both}",
    ),
    "ages-sum": (
        "{what}：年齢階級の合計は{parts}人ですが、総数は{total}人です",
        "{what}: the age groups sum to {parts}, but the total is {total}",
    ),
    "unknown-age-rows": (
        "{what}：年齢階級の合計{parts}人と総数{total}人の差は、ファイルの年齢不詳の行の{unknown}人です（国勢調査の年齢不詳）",
        "{what}: the gap between the age groups ({parts}) and the total ({total}) is the file's own unknown-age row, {unknown}",
    ),
    "ages-sum-unknown": (
        "{what}：年齢階級の合計{parts}人と年齢不詳{unknown}人の和は{sum}人ですが、総数は{total}人です",
        "{what}: the age groups ({parts}) and unknown age ({unknown}) sum to {sum}, but the total is {total}",
    ),
    "unknown-age-distributed": (
        "{municipality}の{year}年の年齢不詳{count}人を、社人研が基準人口を作るときと同じく、年齢別の人数に比例して男女・年齢階級に配分しました",
        "{municipality} {year}: the {count} people of unknown age were distributed over sex and age in proportion (as IPSS does for its base population)",
    ),
    "unknown-age-gap": (
        "{what}：年齢階級の合計{parts}人は総数{total}人より{gap}人少なく、年齢不詳と考えられます（国勢調査の年）。将来推計には年齢階級の値を使います",
        "{what}: the age groups sum to {parts}, {gap} less than the total {total} (unknown age in the census year); projections use the age groups",
    ),
    # ---------------------------------------------------------------- projection settings
    "agesex-years": (
        "男女・5歳階級別データの年（{years}）では推計できません：{reason}",
        "the years {years} cannot be projected: {reason}",
    ),
    "zero-municipality": (
        "{municipality} の人口がすべて 0 です（{years}年）。別の市町村の表や空の表ではないか確認してください",
        "every count of {municipality} is 0 ({years})",
    ),
    "no-women": (
        "{municipality} の {year}年の15～49歳の女性が 0 人のため、出生を推計できません",
        "{municipality} has no women aged 15–49 in {year}: births cannot be derived",
    ),
    "cohort-ratio": (
        "{what}（{year}年）は5年前の{before}（{earlier}年）の {ratio} 倍です（通常は {low}～{high} 倍）。入力の誤りがないか確認してください",
        "{what} in {year} is {ratio} times the cohort five years earlier (usually {low}–{high})",
    ),
    "cohort-jump": (
        "{what}（{year}年）は5年前の{before}（{earlier}年）の {ratio} 倍で、前後の世代の同じ年齢の変化（{neighbours} 倍）と"
        "大きく違います。このセルか5年前のセルに入力の誤りがないか確認してください",
        "{what} in {year} is {ratio} times the cohort five years earlier, far from the neighbouring "
        "cohorts at the same age ({neighbours})",
    ),
    "settlers-implausible": (
        "「{scenario}」の目標人口 {target}人（{year}年）には毎年約 {per_year}人の転入超過が必要です。"
        "入力できる転入超過の範囲（{low}～{high}人／年）を超えるため、目標人口の誤りがないか確認してください",
        "{scenario}: the target {target} in {year} needs about {per_year} net settlers a year, "
        "outside the range that may be typed ({low}–{high} a year); check the target",
    ),
    "untitled-blocks": (
        "年の列が {count} つの表に分かれていますが、表の上に「男女計」「男」「女」の見出しがありません（並び順から男女を推測することはしません）",
        "{count} blocks of years without a 男女計/男/女 title (the sexes are never guessed from the order)",
    ),
    "registry-flag": (
        "「{value}」は {column} の値として使えません（{accepted}）",
        "{value!r} is not a valid {column} flag ({accepted})",
    ),
    "unknown-column": (
        "「{column}」は使える列ではありません（使える列：{known}）。別の種類のファイルではないか確認してください",
        "{column!r} is not a known column (known: {known}); is this another kind of file?",
    ),
    "duplicate-column": (
        "列「{column}」は「{field}」の列と重複しています",
        "column {column!r} repeats the {field} column",
    ),
    "header-repeated": (
        "見出し「{column}」が2回あります（{first}列目と{second}列目）。どちらか一方にしてください",
        "header {column!r} appears twice (columns {first} and {second})",
    ),
    "setting-not-per-area": (
        "設定「{setting}」は「{area}」について指定できません（市町ごとに指定できるのは tfr_base（市町のみ）と転入超過の目標（市町・圏域）だけです。共通の値は市町村の欄を空欄に）",
        "setting {setting} cannot be given for {area} (only tfr_base per municipality and the settler targets per area)",
    ),
    "setting-unused": (
        "設定「{setting}」のこの行は使われません（{reason}）",
        "this row of {setting} has no effect ({reason})",
    ),
    "decimal-comma": (
        "「{value}」の「,」が小数点か桁区切りか分かりません。小数点は「.」で入力してください",
        "{value!r}: a comma is ambiguous (decimal point or thousands separator); use '.' for decimals",
    ),
    "setting-range": (
        "「{value}」は {setting} に使えません（{rule}）",
        "{value!r} cannot be used for {setting} ({rule})",
    ),
    "setting-count": (
        "{setting} には値が {count} 個必要です（「{value}」は {found} 個。「;」で区切ります）",
        "{setting} needs {count} values separated by ';' ({value!r} has {found})",
    ),
    "setting-order": (
        "{setting} の値は{order}に並べてください（「{value}」）",
        "the values of {setting} must be in order: {order} ({value!r})",
    ),
    "setting-year": (
        "{year}年は {setting} に使えません（推計の年：{years}）",
        "{year} cannot be used for {setting} (projected years: {years})",
    ),
    "setting-needs": (
        "{setting} を使うには {other} も必要です",
        "{setting} needs {other} as well",
    ),
    "unknown-setting": (
        "設定「{value}」はありません（使える設定：{known}）",
        "unknown setting {value!r} (known: {known})",
    ),
    "unknown-area": (
        "「{value}」は圏域の市町ではありません（{known}、または空欄＝すべて）",
        "{value!r} is not a municipality of the plan ({known}, or blank for all)",
    ),
    "not-a-share": (
        "「{value}」は割合（0以上1以下の数）として読めません",
        "{value!r} is not a share (0–1)",
    ),
    "shares-sum": (
        "割合の合計が1ではありません（合計 {sum}）。合計が1になるように入力してください",
        "the shares sum to {sum}, not 1",
    ),
    "not-a-survival-ratio": (
        "「{value}」は生残率（0より大きく1以下の数）として使えません",
        "{value!r} is not a survival ratio (above 0, at most 1)",
    ),
    "unknown-period": (
        "期間「{value}」は推計の期間ではありません（{known} など）",
        "unknown period {value!r} (e.g. {known})",
    ),
    "survival-missing": (
        "生残率が足りません：{what} など {count} 件（すべての市町・期間・男女・年齢階級が必要です。市町や期間を空欄にすると共通の値になります）",
        "survival ratios are missing: {what} and {count} in all",
    ),
    "survival-destination-age": (
        "{below}の行の生残率 {value} が、{open}の行の {open_value} と大きく違います。生残率は出発年齢（x歳→x+5歳の x）で書き、{below}の行は使いません（{open}の行の率を{over}に当てはめます）。到達年齢で書かれた表ではありませんか。出発年齢の表なら{below}の行を削除してください",
        "the {below} ratio {value} is far from the {open} ratio {open_value}: is the file labelled by destination age? "
        "Ratios are labelled by starting age and the {below} row is not used (delete it if the file is by starting age)",
    ),
    "survival-no-first-group": (
        "{first}の行がありません。生残率は出発年齢で書きます（{first}→{second}の率は「{first}」の行）。到達年齢で書かれた表なら、各行の年齢階級を1つ下の階級にしてください",
        "no {first} row: ratios are labelled by starting age ({first} → {second} on the {first} row); "
        "a file labelled by destination age must be shifted down one group",
    ),
    "sim-skipped-tfr": (
        "シミュレーション1・2は計算していません：基準年の合計特殊出生率（tfr_base）が {municipalities} について設定されていません（data/raw/projection_settings.csv、または --projection-settings）",
        "sim1 and sim2 skipped: no tfr_base for {municipalities}",
    ),
    "settlers-not-needed": (
        "{area}の{year}年の推計はパターン1で{projected}人と、目標{target}人を上回るため、転入超過を加えた推計は作成していません",
        "{area} {year}: pattern1 gives {projected}, above the target {target}; no settlers scenario",
    ),
    "sim2-skipped": (
        "シミュレーション2は計算していません：移動がない場合の生残率が必要です（--survival ファイル：municipality,period,sex,age_group,survival_ratio）",
        "sim2 skipped: survival ratios are needed (--survival FILE)",
    ),
    "scenario-reserved": (
        "シナリオ名「{value}」は国の手引きのシナリオに使われています（{reserved}）。別の名前にしてください",
        "scenario name {value!r} is reserved for the guidance's scenarios ({reserved})",
    ),
    "scenario-two-labels": (
        "シナリオ「{scenario}」の名称が「{label}」と、{first}行目の「{first_label}」で違います。同じシナリオには同じ名称を",
        "scenario {scenario} is labelled {label!r} here and {first_label!r} on line {first}",
    ),
    "scenario-name-clash": (
        "シナリオ「{scenario}」と{first}行目のシナリオ「{other}」は、大文字・小文字や全角・半角だけが違う名前です"
        "（図のファイル名が Windows では同じになります）。別の名前にしてください",
        "scenario {scenario!r} and scenario {other!r} (line {first}) differ only in case or width "
        "(their figure files would be one file on Windows)",
    ),
    "scenario-label-clash": (
        "シナリオ「{scenario}」の名称「{label}」（{line}行目）は、{first}行目のシナリオ「{other}」の名称「{other_label}」と"
        "同じです（空白・全角半角・大文字小文字の違いは区別しません）。別の名称にしてください",
        "scenario {scenario!r} is labelled {label!r} (line {line}), the same as scenario {other!r} "
        "on line {first} ({other_label!r}) once spaces, width and case are ignored",
    ),
    "scenario-label-reserved": (
        "シナリオ「{scenario}」の名称「{label}」は{reserved}と同じです。別の名称にしてください",
        "scenario {scenario!r} is labelled {label!r}, the same as {reserved}",
    ),
    "unknown-assumption": (
        "仮定「{value}」はありません（使える仮定：{known}）",
        "unknown assumption {value!r} (known: {known})",
    ),
    "scenario-rule": (
        "「{value}」は使えません（{rule}）",
        "{value!r} cannot be used ({rule})",
    ),
    "scenario-contradiction": (
        "{what} が{first}行目と違う値「{value}」で重ねて指定されています。どちらか一方にしてください",
        "{what} is given again with another value {value!r} (first on line {first})",
    ),
    "scenario-order": (
        "シナリオ「{scenario}」の {kind} の年が前の行（{previous}年）より後になっていません（{year}年）。年の順に書いてください",
        "scenario {scenario}: {kind} rows must be in year order ({year} after {previous})",
    ),
    "scenario-too-many-rows": (
        "シナリオのファイルの行が多すぎます（{rows:,}行、上限は見出しのほかに{limit}行）。シナリオのファイルは1行に1つの仮定で、20シナリオでも約1,100行です",
        "the scenario file has too many rows ({rows:,}; at most {limit} besides the header); one assumption per row needs about 1,100 rows for 20 scenarios",
    ),
    "scenario-too-many": (
        "シナリオ「{value}」で、シナリオが{limit}を超えます（1つのファイルは{limit}シナリオまで。報告書の図と表で読み分けられる数です）。ファイルを分けてください",
        "scenario {value!r} makes more than {limit} scenarios (at most {limit} per file, as many as the report's figures and tables can show apart); split the file",
    ),
    "scenario-empty": (
        "シナリオが1つもありません（列：scenario,label,assumption,year,value）",
        "the file defines no scenario (columns scenario,label,assumption,year,value)",
    ),
    "scenario-year": (
        "シナリオ「{scenario}」の {kind} の{year}年は使えません（{meaning}：{years}）",
        "scenario {scenario}: {year} cannot be used for {kind} ({years})",
    ),
    "scenario-needs-survival": (
        "シナリオ「{scenario}」は純移動の倍率{value}を使うため、移動がない場合の生残率（--survival ファイル）が必要です",
        "scenario {scenario} scales net migration ({value}) and needs survival ratios (--survival FILE)",
    ),
    "scenario-needs-tfr-base": (
        "シナリオ「{scenario}」は合計特殊出生率を使うため、基準年の合計特殊出生率（tfr_base）が必要です：{municipalities}（--projection-settings のファイル）",
        "scenario {scenario} sets fertility and needs tfr_base for {municipalities}",
    ),
    "scenario-negative-ratio": (
        "シナリオ「{scenario}」の純移動の倍率{value}では、{what}の人口が負になります。倍率を小さくしてください",
        "scenario {scenario}: net migration times {value} makes {what} negative",
    ),
    "scenario-target-reached": (
        "シナリオ「{scenario}」の目標{target}人（{year}年）は、転入超過を加えなくても{projected}人と{surplus}人上回るため、転入超過は0人としました",
        "scenario {scenario}: {projected} without settlers already exceeds the target {target} in {year}; no settlers",
    ),
    "scenario-unknown": (
        "シナリオ「{value}」はありません（計算したシナリオ：{known}）",
        "no scenario {value!r} (computed: {known})",
    ),
    "borrowed-municipality": (
        "{edition}には{municipality}の値がないため、{municipality}は以前の版（{old}）の{years}年の値を使いました。{region}",
        "{edition} has no rows for {municipality}: its values for {years} are taken from {old}; {region_en}",
    ),
    "region-sum-mismatch": (
        "{edition}の圏域が、市町の合計{borrowed}と合いません（{years}年）：{details}。"
        "圏域の行を市町の合計に直すか、圏域の行を削除してください（削除すると市町の合計を使います）",
        "the 圏域 of {edition} is not the sum of its municipalities{borrowed_en} in {years}: {details}",
    ),
    # ---------------------------------------------------------------- registry
    "registry-kind": (
        "種別「{value}」は使えません（projection か vision）",
        "kind {value!r} must be 'projection' or 'vision'",
    ),
    "registry-replaces": (
        "{edition} が置き換える版「{replaces}」は登録されていません",
        "{edition} replaces {replaces!r}, which is not a registered edition",
    ),
    # ---------------------------------------------------------------- options
    "target-year": (
        "{role}{year}年は{label}の公表年（{first}～{last}年）の範囲外です。範囲内の年を指定してください（公表年の間は補間し、範囲外は計算しません）",
        "{role_en} {year} is outside the published years {first}–{last} of {label}; "
        "choose a year in that range (years in between are interpolated, never extrapolated)",
    ),
    # ---------------------------------------------------------------- KPIs and budgets
    "unknown-kpi": (
        "KPI番号「{value}」は登録されていません（計画の kpis.csv の成果指標にありません）",
        "unknown KPI id {value!r} (not among the plan edition's KPIs in kpis.csv)",
    ),
    "duplicate-initiative": (
        "取組番号 {value} が2回あります（取組は1行に1つ）",
        "initiative {value} appears twice",
    ),
    "duplicate-kpi": ("KPI番号 {value} が2回あります", "KPI {value} appears twice"),
    "kpi-without-initiative": (
        "成果指標の取組番号 {value} が、この計画の取組（initiatives.csv）にありません",
        "the KPI's initiative {value} is not among the edition's initiatives",
    ),
    "target-before-baseline": (
        "目標年度（{target}年度）が現状値の年度（{baseline}年度）より後ではありません",
        "target year {target} is not after the baseline year {baseline}",
    ),
    "budget-outside-period": (
        "事業費の年度 {value:g}年度は計画期間（{first}～{last}年度）の外です",
        "budget year {value:g} is outside the plan period FY{first}–FY{last}",
    ),
    "budget-unknown-initiative": (
        "事業費の取組番号 {value} が、この計画の取組（initiatives.csv）にありません",
        "budget for initiative {value}, which is not in the edition",
    ),
    "duplicate-budget": (
        "取組{initiative} の {year}年度の事業費が2回あります",
        "a second budget for initiative {initiative} FY{year}",
    ),
    "plan-column-missing": (
        "列「{column}」がありません（計画の版の表に必要な列です）",
        "column {column!r} is missing (required in a plan edition)",
    ),
    "plan-period-reversed": (
        "計画期間の最終年度（{last}年度）が初年度（{first}年度）より前です",
        "the period's last year {last} is before its first year {first}",
    ),
    "plan-edition-duplicate": (
        "計画の版「{edition}」が2回登録されています",
        "plan edition {edition!r} is registered twice",
    ),
    "plan-replaces-unknown": (
        "{edition} が置き換える計画の版「{replaces}」は登録されていません",
        "{edition} replaces {replaces!r}, which is not registered",
    ),
    "plan-register-empty": (
        "計画の版が1つも登録されていません",
        "no plan edition is registered",
    ),
    "plan-not-a-folder": (
        "計画の版はフォルダーで指定してください（plan.csv・initiatives.csv・kpis.csv・budgets.csv を入れたフォルダー）",
        "a plan edition is a folder (plan.csv, initiatives.csv, kpis.csv, budgets.csv)",
    ),
    "plan-file-missing": (
        "計画の版に {name} がありません",
        "the plan edition has no {name}",
    ),
    "spending-incomplete": (
        "決算の行がありません：{missing}（決算を入れた年度は、すべての取組に決算額が必要です。使わなかった取組は0）",
        "spending rows are missing: {missing} (every initiative needs a row for each year reported)",
    ),
    "plan-meta-rows": (
        "plan.csv には版の説明を1行だけ書いてください（{count} 行あります）",
        "plan.csv must hold exactly one row ({count} found)",
    ),
    "outside-plan-year": (
        "{value:g}年度は計画期間（{first}～{last}年度）の外です",
        "fiscal year {value:g} is outside the plan period FY{first}–FY{last}",
    ),
    "duplicate-actual": (
        "{kpi} の {year}年度の実績が2回あります（最初は {first} 行目）",
        "a second actual for {kpi} FY{year} (first on line {first})",
    ),
    "actual-above-100": (
        "{value:g}% は割合として 100% を超えています（{kpi}：{name}）",
        "{value:g}% is above 100% for a share ({kpi}: {name})",
    ),
    "actual-negative": (
        "{value:g}{unit} は負の値です（{kpi}：{name}）",
        "{value:g} {unit} is negative ({kpi}: {name})",
    ),
    "negative-budget": ("事業費が負の値（{value:,.0f}千円）です", "negative budget {value:,.0f}"),
    "initiatives-incomplete": (
        "具体的な取組の番号がそろっていません：{missing} がありません（1～{count} が必要です）",
        "initiatives {missing} are missing (1–{count} are required)",
    ),
    "kpis-incomplete": (
        "成果指標（KPI）{missing} の行がありません（取組の表に記載されているKPI：data/raw/initiatives.csv の kpi_ids 列）",
        "KPI rows {missing} are missing (listed in the kpi_ids column of data/raw/initiatives.csv)",
    ),
    "kpi-not-listed": (
        "KPI番号 {kpi} は取組 {initiative} の kpi_ids 列に記載されていません",
        "KPI {kpi} is not listed in the kpi_ids of initiative {initiative}",
    ),
    "budgets-incomplete": (
        "事業費の行がありません：{missing}（すべての取組に {first}～{last} 年度の事業費が必要です）",
        "budget rows are missing: {missing} (every initiative needs FY{first}–FY{last})",
    ),
    "budget-vs-printed": (
        "取組 {initiative} の {year}年度の事業費 {value:,.0f}千円が、取組表の事業費の行（{printed}）と一致しません",
        "the FY{year} budget of initiative {initiative}, {value:,.0f}, differs from the printed row ({printed})",
    ),
    # ---------------------------------------------------------------- source consistency
    "age-groups-sum": (
        "{municipality} {year}年：0～14歳＋15～64歳＋65歳以上＝{terms}＝{parts}人ですが、印刷された合計は{total}人です（差{difference}人）{implied}",
        "{municipality} {year}: 0-14 + 15-64 + 65+ = {terms} = {parts}, but the printed total is {total} (difference {difference}){implied_en}",
    ),
    "municipalities-sum": (
        "圏域 {year}年 {age}：{members}＝{terms}＝{parts}人ですが、印刷された圏域の値は{region}人です（差{difference}人）{implied}",
        "圏域 {year} {age}: {members} = {terms} = {parts}, but the printed 圏域 is {region} (difference {difference}){implied_en}",
    ),
    "implied": (
        "。他の印刷値からは {municipality} {year}年 {age} ＝{value}人となり、{actual}人ではありません（{routes}）",
        "; the other printed figures imply {municipality} {year} {age} = {value}, not {actual} ({routes})",
    ),
    "printed-rate": (
        "{edition}の{municipality} {year}年{age}の{measure}は{printed}%と印刷されていますが、人数から計算すると{recomputed}%です（原資料{source_line}行）{detail}",
        "printed {measure_en} {printed}% for {municipality} {year} {age} ({edition}, source line {source_line}), "
        "but the counts give {recomputed}%{detail_en}",
    ),
    "printed-aging-detail": (
        "。65歳以上{old}人÷総数{total}人。印刷された率に当たる65歳以上は{implied_old}人{routes}",
        " (65+ {old} / total {total}); the printed rate corresponds to 65+ = {implied_old}{routes_en}",
    ),
    "census-disagreement": (
        "{year}年はどちらも国勢調査の値ですが、{municipality}の値が{old}と{new}で違います：{differences}。{follows}",
        "{year} is the census in both editions, but {municipality} differs between {old} and {new}: {differences}. {follows}",
    ),
    "prose-fact": (
        "本文の「{description}」は{stated}{value}{unit}とありますが（原資料{source_line}行）、{what}は{computed}{unit}で、四捨五入すると{shown}{unit}です",
        "{description} is stated as {stated_en}{value}{unit_en} (source line {source_line}), "
        "but {what} gives {computed}{unit_en}, which rounds to {shown}{unit_en}",
    ),
    # ---------------------------------------------------------------- outputs and runs
    "output-failed": (
        "出力を書き込めません：{path}（{reason}）。前回の出力はそのまま残っています",
        "cannot write the outputs: {path} ({reason}); the previous outputs are kept",
    ),
    "output-locked": (
        "{path} を置き換えられません（ほかのプログラムが開いているか、読み取り専用です）。{path} を{program}で開いている場合は閉じてから、"
        "もう一度実行してください。前回の出力はそのまま残っています",
        "{path} is held open by another program ({program}?): close it and run again; the previous outputs are kept",
    ),
    "output-locked-decided": (
        "{path} を置き換えられません（ほかのプログラムが開いているか、読み取り専用です）。{path} を{program}で開いている場合は閉じてから、"
        "もう一度実行してください。次の実行で、始まっていた置き換えを完了します",
        "{path} is held open by another program ({program}?): close it and run again; the next run finishes the replacement",
    ),
    "pdf-no-reports": (
        "PDF にする報告書がありません。先に {door} reports を実行してください",
        "there is no report to print: run reports first",
    ),
    "pdf-no-browser": (
        "PDF を作るためのブラウザ（Microsoft Edge、Google Chrome、Chromium）が見つかりません。"
        "どれかを入れるか、環境変数 ANALYSIS_BROWSER にその実行ファイルを指定してください",
        "no Chromium-family browser found (Edge, Chrome, Chromium); install one or set ANALYSIS_BROWSER",
    ),
    "pdf-browser-missing": (
        "PDF を作るためのブラウザ {browser} がありません。環境変数 ANALYSIS_BROWSER の指定を直すか、"
        "消して Microsoft Edge か Google Chrome を使ってください",
        "the browser {browser} (ANALYSIS_BROWSER) does not exist; correct or remove ANALYSIS_BROWSER",
    ),
    "pdf-browser-failed": (
        "PDF を作るためのブラウザ {browser} を起動できませんでした。Microsoft Edge か Google Chrome を入れ直すか、"
        "このパソコンの管理者にブラウザの起動（自動操作）を許可してもらってください",
        "the browser {browser} could not be started (blocked by a policy, damaged or not a browser); "
        "reinstall Edge or Chrome or ask the administrator to allow it",
    ),
    "pdf-folder-is-file": (
        "PDF の出力先 {path} がファイルになっています。このファイルを移動するか名前を変えてから、もう一度実行してください",
        "the PDF folder {path} is a file; move or rename it and run again",
    ),
    "pdf-busy": (
        "別の実行（{door} reports）がこのフォルダで進行中です。終わってから、もう一度 {door} pdf を実行してください（PDF は作っていません）",
        "a reports run is in progress in this folder; run pdf again when it has finished (no PDF written)",
    ),
    "pdf-edited": (
        "{files} が最後の reports の後に変更されたか、なくなっています。{door} reports を実行して作り直してから、"
        "もう一度 {door} pdf を実行してください（PDF は作っていません）",
        "{files} changed or went missing after the last reports run; run reports, then pdf (no PDF written)",
    ),
    "pdf-stale": (
        "{files} は最新ではありません（入力・設定・プログラムが変わっています）。{door} reports を実行して作り直してから、"
        "もう一度 {door} pdf を実行してください（PDF は作っていません）",
        "{files} are out of date (inputs, settings or code changed); run reports, then pdf (no PDF written)",
    ),
    "busy": (
        "別の実行（{door} reports）がこのフォルダで進行中です。終わってからもう一度実行してください",
        "another run is in progress in this folder; run again when it has finished",
    ),
    "option": ("{option}：{reason}", "{option}: {reason_en}"),
}

ROUTE_NAMES = {
    "total-others": ("合計−他の年齢区分", "total − other age groups"),
    "sum-municipalities": ("市町の合計", "sum of municipalities"),
    "region-others": ("圏域−他の市町", "圏域 − other municipalities"),
    "aging-rate": ("印刷された高齢化率{rate}%×合計", "printed aging rate {rate}% × total"),
}

MEASURE_NAMES = {
    "aging_rate": ("高齢化率", "aging rate"),
    "share": ("人口比率", "share"),
    "change_rate": ("増減率", "change rate"),
}


def render(code: str, params: Mapping[str, object], language: str = "ja") -> str:
    """The message ``code`` in ``language`` ("ja" or "en") with ``params`` filled in.

    ``{door}`` is the front door the person used (never ``make`` on Windows)."""
    japanese, english = CATALOGUE[code]
    template = japanese if language == "ja" else english
    return template.format(**{"door": front_door(), **params})


def front_door() -> str:
    """The command that starts a run, as the person types it."""
    return os.environ.get(FRONT_DOOR, "").strip() or "python -m analysis"


def route_name(code: str, language: str = "ja", **params: object) -> str:
    japanese, english = ROUTE_NAMES[code]
    return (japanese if language == "ja" else english).format(**params)


TITLES = {
    "file-not-found": "ファイルがない",
    "is-directory": "フォルダを指定",
    "not-a-regular-file": "通常のファイルでない",
    "symlink-loop": "リンクの循環",
    "shortcut": "ショートカット",
    "broken-link": "リンク先がない",
    "too-large": "ファイルが大きすぎる",
    "sheet-too-large": "シートが大きすぎる",
    "shared-strings-too-large": "ブックの文字列が大きすぎる",
    "no-permission": "読み取り権限がない",
    "read-failed": "読み込めない",
    "decode": "文字コード",
    "binary": "CSVではない",
    "unsupported-type": "ファイルの種類",
    "xls-format": "古いExcel形式",
    "bad-xlsx": "Excelとして読めない",
    "layout-sheet-skipped": "表のないシートを読み飛ばし",
    "empty-file": "データがない",
    "csv-quote": "引用符が閉じていない",
    "csv-fields": "列の数が合わない",
    "layout": "表の形式",
    "schema-missing": "列がない",
    "schema-unexpected": "想定外の列",
    "skipped-columns": "計算値などの列を読み飛ばし",
    "skipped-rows": "年齢区分以外の行を読み飛ばし",
    "missing-value": "空欄",
    "missing-actual": "実績が空欄",
    "not-a-number": "数値でない",
    "not-a-year": "年でない",
    "not-people": "人数でない",
    "negative-population": "負の人口",
    "zero-population": "人口が0",
    "fractional-people": "人数が整数でない",
    "fractional-year": "年が整数でない",
    "year-range": "年が範囲外",
    "unknown-age-group": "年齢区分が不明",
    "duplicate": "重複した行",
    "outside-plan": "圏域外の市町村を除外",
    "near-municipality": "市町名の誤り",
    "no-plan-municipality": "圏域の市町がない",
    "missing-rows": "行が欠けている",
    "actual-unknown-municipality": "圏域外の市町",
    "actual-unknown-kind": "人口の種別が不明",
    "actual-not-a-date": "基準日でない",
    "actual-date-needs-day": "基準日が年だけ",
    "actual-future-date": "将来の基準日",
    "actual-mixed-kinds": "国勢調査と住民基本台帳の混在",
    "actual-missing-groups": "年齢区分が欠けている",
    "actual-total-mismatch": "総数と年齢区分の和の不一致",
    "actual-region-mismatch": "圏域と市町の和の不一致",
    "actual-zero-total": "人口が 0",
    "sheets-left-out": "圏域外のシートを読み飛ばし",
    "municipality-missing": "市町のデータがない",
    "unknown-sex": "男女の区分が不明",
    "unknown-age-class": "年齢階級が不明",
    "year-range-simple": "年が範囲外",
    "open-group": "最後の年齢階級",
    "age-beyond-open": "年齢階級の重なり",
    "missing-rows-agesex": "値が欠けている",
    "sexes-sum": "男＋女と男女計の不一致",
    "ages-sum": "年齢階級の合計と総数の不一致",
    "unknown-age-gap": "年齢不詳（総数との差）",
    "unknown-age-rows": "年齢不詳の行",
    "ages-sum-unknown": "年齢階級・年齢不詳の合計と総数の不一致",
    "unknown-age-distributed": "年齢不詳を配分",
    "unknown-setting": "設定名が不明",
    "unknown-column": "列名が不明",
    "agesex-years": "推計できない年",
    "zero-municipality": "人口がすべて0",
    "no-women": "15～49歳の女性が0",
    "cohort-ratio": "コーホートの変化が大きい",
    "cohort-jump": "1つのセルだけの大きな変化",
    "settlers-implausible": "ありえない転入超過",
    "untitled-blocks": "男女の見出しがない",
    "registry-flag": "登録の指定が不明",
    "duplicate-column": "列の重複",
    "header-repeated": "見出しの重複",
    "setting-not-per-area": "市町別にできない設定",
    "setting-unused": "使われない設定の行",
    "decimal-comma": "小数点のカンマ",
    "setting-range": "設定値の範囲外",
    "setting-count": "設定値の個数",
    "setting-order": "設定値の順序",
    "setting-year": "推計にない年",
    "setting-needs": "組になる設定がない",
    "unknown-area": "市町名が不明",
    "not-a-share": "割合でない",
    "shares-sum": "割合の合計",
    "not-a-survival-ratio": "生残率でない",
    "unknown-period": "期間が不明",
    "survival-missing": "生残率が足りない",
    "survival-destination-age": "生残率の年齢の書き方",
    "survival-no-first-group": "生残率の年齢の書き方",
    "sim-skipped-tfr": "シミュレーション1・2を省略",
    "settlers-not-needed": "転入超過の推計を省略",
    "sim2-skipped": "シミュレーション2を省略",
    "scenario-reserved": "予約されたシナリオ名",
    "scenario-two-labels": "シナリオ名称の不一致",
    "scenario-name-clash": "シナリオ名の重なり",
    "scenario-label-clash": "シナリオの名称の重なり",
    "scenario-label-reserved": "予約されたシナリオの名称",
    "unknown-assumption": "仮定が不明",
    "scenario-rule": "シナリオの値が範囲外",
    "scenario-contradiction": "シナリオの矛盾",
    "scenario-order": "シナリオの年の順序",
    "scenario-too-many-rows": "シナリオのファイルの行が多すぎる",
    "scenario-too-many": "シナリオが多すぎる",
    "scenario-empty": "シナリオがない",
    "scenario-year": "シナリオの年",
    "scenario-needs-survival": "生残率が必要",
    "scenario-needs-tfr-base": "基準の出生率が必要",
    "scenario-negative-ratio": "負の人口になる倍率",
    "scenario-target-reached": "目標に転入超過は不要",
    "scenario-unknown": "シナリオが不明",
    "borrowed-municipality": "以前の版の値を使用",
    "region-sum-mismatch": "圏域と市町の合計の不一致",
    "registry-kind": "版の種別",
    "registry-replaces": "置き換える版",
    "target-year": "目標年・基準年が範囲外",
    "unknown-kpi": "KPI番号が不明",
    "duplicate-initiative": "取組の重複",
    "duplicate-kpi": "KPIの重複",
    "kpi-without-initiative": "取組のないKPI",
    "target-before-baseline": "目標年度が現状値の年度以前",
    "budget-outside-period": "計画期間外の事業費",
    "budget-unknown-initiative": "計画にない取組の事業費",
    "duplicate-budget": "事業費の重複",
    "plan-column-missing": "計画の列が欠けている",
    "plan-period-reversed": "計画期間の逆転",
    "plan-edition-duplicate": "計画の版の重複",
    "plan-replaces-unknown": "置き換える計画の版が不明",
    "plan-register-empty": "計画の版の登録なし",
    "plan-not-a-folder": "計画の版がフォルダーでない",
    "plan-file-missing": "計画の版のファイルが欠けている",
    "plan-meta-rows": "plan.csv の行数",
    "spending-incomplete": "決算の行が欠けている",
    "outside-plan-year": "計画期間外の年度",
    "duplicate-actual": "実績の重複",
    "actual-above-100": "割合が100%超",
    "actual-negative": "実績が負の値",
    "negative-budget": "事業費が負の値",
    "initiatives-incomplete": "取組が欠けている",
    "kpis-incomplete": "KPIが欠けている",
    "kpi-not-listed": "取組表にないKPI",
    "budgets-incomplete": "事業費の行が欠けている",
    "budget-vs-printed": "事業費が取組表と不一致",
    "age-groups-sum": "年齢3区分の和と合計の不一致",
    "municipalities-sum": "市町の和と圏域合計の不一致",
    "implied": "他の印刷値からの推定",
    "printed-rate": "印刷された率と再計算値の不一致",
    "printed-aging-detail": "高齢化率の内訳",
    "prose-fact": "本文の数値と表の不一致",
    "census-disagreement": "国勢調査の値が版によって違う",
    "output-failed": "出力できない",
    "busy": "同時実行",
    "pdf-no-reports": "報告書がない",
    "pdf-no-browser": "ブラウザがない",
    "pdf-browser-missing": "ブラウザがない",
    "pdf-browser-failed": "ブラウザが起動しない",
    "pdf-folder-is-file": "PDF の出力先がファイル",
    "pdf-busy": "同時実行",
    "pdf-edited": "報告書の変更",
    "pdf-stale": "報告書が最新でない",
    "output-locked": "ほかのプログラムが開いている",
    "output-locked-decided": "ほかのプログラムが開いている",
    "option": "コマンドの指定",
}
"""A short Japanese name of every message, for the 検査 column of report tables."""
