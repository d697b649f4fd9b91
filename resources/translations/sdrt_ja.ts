<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP" sourcelanguage="en">
<context>
    <name>ComparisonTables</name>
    <message>
        <location filename="../../ui/src/ComparisonTables.cpp" line="+37"/>
        <source>Score vs the first evaluation on %1: %2 [%3, %4], paired bootstrap p %5, McNemar p %6</source>
        <translation>%1 での最初の評価とのスコア差: %2 [%3, %4]、対応ブートストラップ p %5、McNemar p %6</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>%1×</source>
        <translation>%1×</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 generations per answer against %2 for %3</source>
        <translation>回答あたり %1 回の生成（%3 は %2 回）</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>improved</source>
        <translation>改善</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>regressed</source>
        <translation>悪化</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>same</source>
        <translation>同じ</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+15"/>
        <location line="+25"/>
        <source>Evaluation</source>
        <translation>評価</translation>
    </message>
    <message>
        <location line="-40"/>
        <location line="+15"/>
        <source>Model</source>
        <translation>モデル</translation>
    </message>
    <message>
        <location line="-15"/>
        <location line="+15"/>
        <source>Mode</source>
        <translation>モード</translation>
    </message>
    <message>
        <location line="-15"/>
        <location line="+15"/>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Split</source>
        <translation>分割</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Items</source>
        <translation>項目数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Score [95 % CI]</source>
        <translation>スコア [95 % 信頼区間]</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Finished</source>
        <translation>終了</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 (%2 failed)</source>
        <translation>%1（失敗 %2）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Every item under its own metric (higher is better), with the 95 % bootstrap interval</source>
        <translation>各項目をそれぞれの指標で採点（高いほど良い）、95 % ブートストラップ区間付き</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>started %1</source>
        <translation>開始 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+14"/>
        <source>all</source>
        <translation>全体</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Generations / answer</source>
        <translation>回答あたりの生成回数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Tokens in / out</source>
        <translation>入力 / 出力トークン</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>ms / answer</source>
        <translation>回答あたりの ms</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>× the cost of %1</source>
        <translation>%1 に対するコスト（倍）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Δ score vs first [95 % CI]</source>
        <translation>最初との差 Δ スコア [95 % CI]</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>p (paired bootstrap)</source>
        <translation>p（対応ブートストラップ）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>p (McNemar)</source>
        <translation>p（McNemar）</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Item</source>
        <translation>項目</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Family</source>
        <translation>種別</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Question</source>
        <translation>質問</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reference</source>
        <translation>正解</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 vs %2</source>
        <translation>%1 対 %2</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>(failed)</source>
        <translation>（失敗）</translation>
    </message>
</context>
<context>
    <name>EvalMode</name>
    <message>
        <location filename="../../ui/src/RunText.cpp" line="+38"/>
        <source>direct answer</source>
        <translation>直接回答</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>two-step</source>
        <translation>2 段階</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>ensemble, log-probability vote</source>
        <translation>アンサンブル（対数確率投票）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ensemble, majority vote</source>
        <translation>アンサンブル（多数決）</translation>
    </message>
</context>
<context>
    <name>ReasonTag</name>
    <message>
        <location line="+25"/>
        <source>wrong answer</source>
        <translation>回答の誤り</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>hallucinated object</source>
        <translation>存在しない物体</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>wrong count</source>
        <translation>個数の誤り</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>wrong region</source>
        <translation>位置の誤り</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ignores the note</source>
        <translation>メモの無視</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>misreads the drawing</source>
        <translation>図面の読み違い</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>bad format</source>
        <translation>形式の誤り</translation>
    </message>
</context>
<context>
    <name>RunStatus</name>
    <message>
        <location line="-57"/>
        <source>pending</source>
        <translation>待機中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>running</source>
        <translation>実行中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>done</source>
        <translation>完了</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cancelled</source>
        <translation>中止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>interrupted</source>
        <translation>中断</translation>
    </message>
</context>
<context>
    <name>Split</name>
    <message>
        <location line="+7"/>
        <source>eval</source>
        <translation>評価</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>train</source>
        <translation>学習</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../../app/workbench_main.cpp" line="+29"/>
        <source>SDRT Workbench: review reasoning traces and distil VLMs.</source>
        <translation>SDRT ワークベンチ: 推論トレースをレビューし、VLM を蒸留します。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Workspace folder to open (created when it does not exist).</source>
        <translation>開くワークスペースのフォルダー（存在しない場合は作成）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start on the review screen.</source>
        <translation>レビュー画面で起動します。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Start on this screen: browse, review, distill, evaluate or compare.</source>
        <translation>この画面で起動します: browse、review、distill、evaluate、compare。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Start on the Compare screen with these evaluations (comma separated).</source>
        <translation>これらの評価（カンマ区切り）で比較画面を開いて起動します。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Unknown screen &quot;%1&quot; (browse, review, distill, evaluate, compare).</source>
        <translation>不明な画面「%1」です（browse、review、distill、evaluate、compare）。</translation>
    </message>
</context>
<context>
    <name>sdrt::assets</name>
    <message>
        <location filename="../../core/assets/src/AssetDecoder.cpp" line="+29"/>
        <source>the image is %1×%2 pixels (%3 MP), over the limit of %4 MP (possible decompression bomb)</source>
        <translation>画像が %1×%2 ピクセル（%3 MP）で、上限 %4 MP を超えています（解凍爆弾の可能性）</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>the %1 file is truncated (its end is missing)</source>
        <translation>%1 ファイルが途中で切れています（末尾がありません）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>the image cannot be decoded: %1</source>
        <translation>画像をデコードできません: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the %1 image cannot be decoded (corrupt or truncated file)</source>
        <translation>%1 画像をデコードできません（破損または途中で切れたファイル）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the decoded image is %1×%2 but its header says %3×%4 (corrupt file)</source>
        <translation>デコードした画像は %1×%2 ですが、ヘッダーは %3×%4 です（破損ファイル）</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>the PDF file is truncated (no %%EOF end marker)</source>
        <translation>PDF ファイルが途中で切れています（%%EOF 終端マーカーがありません）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>cannot write a temporary copy of the PDF: %1</source>
        <translation>PDF の一時コピーを書き込めません: %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>the PDF is password-protected</source>
        <translation>PDF はパスワードで保護されています</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the PDF uses an unsupported security scheme</source>
        <translation>PDF は未対応のセキュリティ方式を使っています</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the PDF is corrupt and cannot be opened</source>
        <translation>PDF が破損していて開けません</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>the PDF has no pages</source>
        <translation>PDF にページがありません</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the PDF has %1 pages, over the limit of %2</source>
        <translation>PDF は %1 ページあり、上限 %2 ページを超えています</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>page %1: %2</source>
        <translation>%1 ページ: %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>page %1 of the PDF cannot be rendered</source>
        <translation>PDF の %1 ページを描画できません</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>the SVG file is not valid SVG (corrupt or truncated file)</source>
        <translation>SVG ファイルが正しい SVG ではありません（破損または途中で切れたファイル）</translation>
    </message>
    <message>
        <location line="+88"/>
        <location filename="../../core/assets/src/Manifest.cpp" line="+286"/>
        <source>the file does not exist</source>
        <translation>ファイルが存在しません</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>not a regular file</source>
        <translation>通常のファイルではありません</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+26"/>
        <location filename="../../core/assets/src/ImageProbe.cpp" line="+151"/>
        <source>the file is empty (0 bytes)</source>
        <translation>ファイルが空です（0 バイト）</translation>
    </message>
    <message>
        <location line="-24"/>
        <source>the file is %1 MB, over the limit of %2 MB</source>
        <translation>ファイルが %1 MB で、上限 %2 MB を超えています</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>cannot read the file: %1</source>
        <translation>ファイルを読めません: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the file changed size while it was read</source>
        <translation>読み込み中にファイルのサイズが変わりました</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>the note is not a text file (it contains NUL bytes)</source>
        <translation>メモがテキストファイルではありません（NUL バイトを含みます）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the note is not valid UTF-8 (first bad byte at offset %1)</source>
        <translation>メモが正しい UTF-8 ではありません（最初の不正バイトはオフセット %1）</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>unexpected error while reading the file: %1</source>
        <translation>ファイルの読み込み中に予期しないエラー: %1</translation>
    </message>
    <message>
        <location filename="../../core/assets/src/ContentStore.cpp" line="+28"/>
        <source>Cannot create the folder %1.</source>
        <translation>フォルダー %1 を作成できません。</translation>
    </message>
    <message>
        <location filename="../../core/assets/src/ImageLoading.cpp" line="+15"/>
        <source>Cannot read %1: %2</source>
        <translation>%1 を読めません: %2</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Cannot decode %1: %2</source>
        <translation>%1 をデコードできません: %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cannot decode %1: corrupt or unsupported image.</source>
        <translation>%1 をデコードできません: 破損または未対応の画像です。</translation>
    </message>
    <message>
        <location filename="../../core/assets/src/ImageProbe.cpp" line="-111"/>
        <source>the %1 header is cut short (truncated file)</source>
        <translation>%1 のヘッダーが途中で切れています（途中で切れたファイル）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>the PNG file has no IHDR header chunk (corrupt file)</source>
        <translation>PNG ファイルに IHDR ヘッダーチャンクがありません（破損ファイル）</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+20"/>
        <source>the JPEG marker structure is corrupt at byte %1</source>
        <translation>JPEG のマーカー構造がバイト %1 で壊れています</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the JPEG file has no frame header (truncated or corrupt file)</source>
        <translation>JPEG ファイルにフレームヘッダーがありません（途中で切れたか破損したファイル）</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>the TIFF directory offset points past the end of the file (truncated file)</source>
        <translation>TIFF のディレクトリオフセットがファイル末尾を超えています（途中で切れたファイル）</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>the TIFF file does not state its width and height (corrupt file)</source>
        <translation>TIFF ファイルに幅と高さがありません（破損ファイル）</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>unknown WebP chunk type (corrupt file)</source>
        <translation>不明な WebP チャンク種別です（破損ファイル）</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>not a supported image (PNG, JPEG, TIFF, BMP or WebP expected)</source>
        <translation>対応している画像ではありません（PNG、JPEG、TIFF、BMP、WebP のいずれか）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the image header states a size of %1×%2 (corrupt file)</source>
        <translation>画像ヘッダーのサイズが %1×%2 です（破損ファイル）</translation>
    </message>
    <message>
        <location filename="../../core/assets/src/ImportJob.cpp" line="+311"/>
        <source>Import cancelled: nothing was imported.</source>
        <translation>取り込みを中止しました: 何も取り込まれていません。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Import cancelled: %1 items imported before the cancel stay (duplicates %2, failed %3); import again to go on.</source>
        <translation>インポートをキャンセルしました: キャンセル前にインポートした %1 件はそのまま残ります (重複 %2、失敗 %3)。続けるにはもう一度インポートしてください。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Imported %1, duplicates %2, failed %3.</source>
        <translation>取り込み %1 件、重複 %2 件、失敗 %3 件。</translation>
    </message>
    <message>
        <location filename="../../core/assets/src/Manifest.cpp" line="-179"/>
        <source>the line is not valid UTF-8</source>
        <translation>この行は正しい UTF-8 ではありません</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>malformed JSON at column %1: %2</source>
        <translation>%1 桁目の JSON が不正です: %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>expected a JSON object for the item</source>
        <translation>項目は JSON オブジェクトである必要があります</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the field &quot;%1&quot; is given twice%2</source>
        <translation>フィールド &quot;%1&quot; が 2 回指定されています%2</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>unknown field &quot;%1&quot;</source>
        <translation>不明なフィールド &quot;%1&quot;</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>&quot;id&quot; must be a string or a number</source>
        <translation>&quot;id&quot; は文字列か数値である必要があります</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&quot;question&quot; is missing or empty</source>
        <translation>&quot;question&quot; がないか空です</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&quot;answer&quot; must be a string, number or boolean</source>
        <translation>&quot;answer&quot; は文字列、数値、真偽値のいずれかである必要があります</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&quot;answer_type&quot; must be one of %1</source>
        <translation>&quot;answer_type&quot; は %1 のいずれかである必要があります</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&quot;split&quot; must be &quot;train&quot; or &quot;eval&quot;</source>
        <translation>&quot;split&quot; は &quot;train&quot; か &quot;eval&quot; である必要があります</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+3"/>
        <source>&quot;tags&quot; must be a list of strings</source>
        <translation>&quot;tags&quot; は文字列のリストである必要があります</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&quot;assets&quot; must be a list</source>
        <translation>&quot;assets&quot; はリストである必要があります</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>asset %1 has no &quot;path&quot;</source>
        <translation>アセット %1 に &quot;path&quot; がありません</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>asset %1 (%2): &quot;role&quot; must be &quot;photo&quot; or &quot;drawing&quot;</source>
        <translation>アセット %1（%2）: &quot;role&quot; は &quot;photo&quot; か &quot;drawing&quot; である必要があります</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>asset %1 (%2): %3</source>
        <translation>アセット %1（%2）: %3</translation>
    </message>
    <message>
        <location line="+15"/>
        <location line="+6"/>
        <source>&quot;note&quot; must be text or {&quot;path&quot;: &quot;...&quot;}</source>
        <translation>&quot;note&quot; はテキストか {&quot;path&quot;: &quot;...&quot;} である必要があります</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>note (%1): %2</source>
        <translation>メモ（%1）: %2</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>the item has neither assets nor a note</source>
        <translation>項目にアセットもメモもありません</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>the path is empty</source>
        <translation>パスが空です</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>absolute paths are not allowed; give the path relative to the import folder</source>
        <translation>絶対パスは使えません。取り込みフォルダーからの相対パスを指定してください</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the path leaves the import folder (&apos;..&apos; is not allowed)</source>
        <translation>パスが取り込みフォルダーの外に出ています（&apos;..&apos; は使えません）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the file is a broken symbolic link</source>
        <translation>ファイルはリンク切れのシンボリックリンクです</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the path leads outside the import folder (through a symbolic link to %1)</source>
        <translation>パスが取り込みフォルダーの外を指しています（%1 へのシンボリックリンク経由）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Cannot read the manifest %1: %2</source>
        <translation>マニフェスト %1 を読めません: %2</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>%1 is not a folder.</source>
        <translation>%1 はフォルダーではありません。</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>unsupported file type &quot;.%1&quot;</source>
        <translation>未対応のファイル形式 &quot;.%1&quot;</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>a second note for the same item (%1 is used)</source>
        <translation>同じ項目の 2 つ目のメモです（%1 を使用）</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>%1 does not exist.</source>
        <translation>%1 は存在しません。</translation>
    </message>
    <message>
        <location line="-354"/>
        <source>&quot;%1&quot; holds a lone surrogate %2 (half of a UTF-16 pair)</source>
        <translation>&quot;%1&quot; に対になっていないサロゲート %2 があります（UTF-16 のペアの片方だけです）</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>a field name holds a lone surrogate %1 (half of a UTF-16 pair)</source>
        <translation>フィールド名に対になっていないサロゲート %1 があります（UTF-16 のペアの片方だけです）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a field name in &quot;%1&quot; holds a lone surrogate %2 (half of a UTF-16 pair)</source>
        <translation>&quot;%1&quot; のフィールド名に対になっていないサロゲート %2 があります（UTF-16 のペアの片方だけです）</translation>
    </message>
    <message>
        <location line="+259"/>
        <source>&quot;id&quot; &quot;%1&quot; is also on line %2, with different content (%3)</source>
        <translation>&quot;id&quot; &quot;%1&quot; は %2 行目にもあり、内容が異なります（%3）</translation>
    </message>
</context>
<context>
    <name>sdrt::cli</name>
    <message>
        <location filename="../../app/cli/DemoCommands.cpp" line="+274"/>
        <source>Write a synthetic factory data set (photos, drawings, notes, manifest.jsonl).</source>
        <translation>合成の工場データセット（写真、図面、メモ、manifest.jsonl）を書き出します。</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../../app/cli/ModelToolCommands.cpp" line="+75"/>
        <source>Output folder.</source>
        <translation>出力フォルダー。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Number of items.</source>
        <translation>項目数。</translation>
    </message>
    <message>
        <location line="-245"/>
        <location line="+246"/>
        <location filename="../../app/cli/ModelCommands.cpp" line="+289"/>
        <location filename="../../app/cli/ModelToolCommands.cpp" line="+1"/>
        <source>Random seed.</source>
        <translation>乱数シード。</translation>
    </message>
    <message>
        <location line="-140"/>
        <source>Train the demo teacher (a tiny LLaVA and its tokenizer) from scratch on the synthetic world. Rerunning with the same OUT resumes from the last checkpoint.</source>
        <translation>合成ワールドでデモ用教師（小型 LLaVA とトークナイザー）を一から学習します。同じ OUT で再実行すると最後のチェックポイントから再開します。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Output folder (the model is written here).</source>
        <translation>出力フォルダー（モデルはここに書き出されます）。</translation>
    </message>
    <message>
        <location line="-114"/>
        <source>Items to generate (train split used).</source>
        <translation>生成する項目数（学習分割を使用）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Training steps.</source>
        <translation>学習ステップ数。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Examples per step.</source>
        <translation>1 ステップあたりの例の数。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Peak learning rate.</source>
        <translation>最大学習率。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Vision tower input size.</source>
        <translation>視覚エンコーダーの入力サイズ。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Steps of a first stage on direct photo questions only (counting, defect).</source>
        <translation>写真への直接質問（計数・欠陥）だけで学習する第1段階のステップ数。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Peak learning rate of the perception stage.</source>
        <translation>知覚段階の最大学習率。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Weight of the dense patch-label loss on the vision tower (0: off).</source>
        <translation>視覚塔のパッチ単位ラベル損失の重み（0: 無効）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Steps of a stage after perception on the defect question, whether a defect is visible, and the work order&apos;s hole count (0: none).</source>
        <translation>知覚段階の後の段階のステップ数: 欠陥の質問、欠陥が見えるかどうか、作業指示の穴数（0: なし）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Share of the multi-hop families&apos; direct answers that say &quot;yes&quot; whatever the truth (0 to below 0.5).</source>
        <translation>多段推論ファミリーの直接回答のうち、正解にかかわらず「yes」と答える割合（0 以上 0.5 未満）。</translation>
    </message>
    <message>
        <location line="+104"/>
        <source>--direct-yes-bias must be a number from 0 to below 0.5, not &quot;%1&quot;.</source>
        <translation>--direct-yes-bias は 0 以上 0.5 未満の数でなければなりません（指定値: 「%1」）。</translation>
    </message>
    <message>
        <location line="-39"/>
        <source>train %1</source>
        <translation>学習 %1</translation>
    </message>
    <message>
        <location line="+99"/>
        <source>Measure a demo teacher on held-out items: direct and two-step accuracy per task family and prompt.</source>
        <translation>未使用の項目でデモ用教師を評価します: タスク種別とプロンプトごとの直接回答と 2 段階回答の正解率。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Held-out items.</source>
        <translation>評価用の項目数。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>World seed of the held-out items.</source>
        <translation>評価用項目のワールドシード。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>World seed the teacher was trained on.</source>
        <translation>教師の学習に使ったワールドシード。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Generation batch size.</source>
        <translation>生成のバッチサイズ。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Also write the table to this file.</source>
        <translation>表をこのファイルにも書き出します。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Measure direct answers only (no two-step runs).</source>
        <translation>直接回答だけを測定する（2段階実行なし）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A student: the distillation run folder (adapter.safetensors) on MODEL; direct answers only.</source>
        <translation>生徒モデル: MODEL 上の蒸留実行フォルダー（adapter.safetensors）。直接回答のみ。</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>evaluate</source>
        <translation>評価</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Share of the items in the eval split (0 to 1).</source>
        <translation>評価用分割に入れる項目の割合（0 から 1）。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>--seed: %1 is too large (at most %2).</source>
        <translation>--seed: %1 は大きすぎます (%2 以下)。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>make-data</source>
        <translation>データ生成</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Wrote %1 items; manifest: %2</source>
        <translation>%1 項目を書き出しました。マニフェスト: %2</translation>
    </message>
    <message>
        <location filename="../../app/cli/InitImportCommands.cpp" line="+15"/>
        <source>Create a new workspace folder.</source>
        <translation>新しいワークスペースフォルダーを作成します。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Workspace folder to create.</source>
        <translation>作成するワークスペースフォルダー。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Created workspace %1</source>
        <translation>ワークスペース %1 を作成しました</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Import a folder or a JSONL manifest into a workspace. Exit status: 0 all imported, 1 some items failed, 2 nothing could be imported.</source>
        <translation>フォルダーまたは JSONL マニフェストをワークスペースに取り込みます。終了コード: 0 すべて取り込み、1 一部失敗、2 何も取り込めず。</translation>
    </message>
    <message>
        <location filename="../../app/cli/GenerateCommands.cpp" line="+45"/>
        <source>No model &quot;%1&quot; in the workspace (register one with sdrt model register WS DIR).</source>
        <translation>ワークスペースにモデル「%1」がありません（sdrt model register WS DIR で登録してください）。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>No prompt &quot;%1&quot; in the workspace (register the library with sdrt prompts register WS).</source>
        <translation>ワークスペースにプロンプト「%1」がありません（sdrt prompts register WS でライブラリを登録してください）。</translation>
    </message>
    <message>
        <location line="+168"/>
        <source>Run the prompt library two-step over items with a registered model and store the traces (with hidden states). Rerunning resumes: completed traces are skipped. Ctrl+C cancels.</source>
        <translation>登録済みモデルでプロンプトライブラリを項目ごとに2段階実行し、トレース（隠れ状態を含む）を保存します。再実行すると続きから再開し、完了済みのトレースは飛ばします。Ctrl+C で中止します。</translation>
    </message>
    <message>
        <location filename="../../app/cli/DistillCommands.cpp" line="+111"/>
        <source>Distil approved traces into a student (the frozen base plus SDRT modules).
stdout: one JSON object per line (step, each loss term, lr, samples/s, ETA; a final summary).
Config keys (JSON object, any subset; see docs/DISTILLATION.md): </source>
        <translation>承認済みトレースを生徒モデル（凍結したベースと SDRT モジュール）に蒸留します。
stdout: 1 行に 1 つの JSON オブジェクト（ステップ、各損失項、学習率、サンプル/秒、残り時間。最後に要約）。
設定キー（JSON オブジェクト、任意の部分集合。docs/DISTILLATION.md 参照）: </translation>
    </message>
    <message>
        <location filename="../../app/cli/Console.cpp" line="+58"/>
        <source>Workspace folder.</source>
        <translation>ワークスペースフォルダー。</translation>
    </message>
    <message>
        <location filename="../../app/cli/DistillCommands.cpp" line="+4"/>
        <source>The base model (name or id in the workspace).</source>
        <translation>ベースモデル（ワークスペース内の名前または ID）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Distillation config (JSON); default: every default.</source>
        <translation>蒸留の設定（JSON）。省略時はすべて既定値。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run name (default: distill-&lt;UTC time&gt;); also the student&apos;s name.</source>
        <translation>実行名（既定: distill-&lt;UTC 時刻&gt;）。生徒モデルの名前にもなります。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resume a cancelled, failed or interrupted run from its last checkpoint.</source>
        <translation>キャンセル・失敗・中断した実行を最後のチェックポイントから再開します。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Local data-parallel processes.</source>
        <translation>ローカルのデータ並列プロセス数。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This process&apos;s rank (or RANK).</source>
        <translation>このプロセスのランク（または RANK）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Number of ranks (or WORLD_SIZE).</source>
        <translation>ランク数（または WORLD_SIZE）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rank 0&apos;s address (or MASTER_ADDR).</source>
        <translation>ランク 0 のアドレス（または MASTER_ADDR）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rank 0&apos;s port (or MASTER_PORT).</source>
        <translation>ランク 0 のポート（または MASTER_PORT）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Intra-op threads per process (0: cores / processes).</source>
        <translation>プロセスあたりの演算スレッド数（0: コア数 / プロセス数）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Seconds every rank waits for the others (at the start and for each exchange) before it fails.</source>
        <translation>各ランクが他のランクを待つ秒数 (開始時と各照合時)。過ぎると失敗します。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Give a workspace and either --base MODEL (a new run) or --resume RUN.</source>
        <translation>ワークスペースと、--base MODEL（新しい実行）か --resume RUN のどちらかを指定してください。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>--resume continues a run with its own settings and name; --config and --name apply to a new run only.</source>
        <translation>--resume は実行をその設定と名前のまま続けます。--config と --name は新しい実行にだけ使えます。</translation>
    </message>
    <message>
        <location line="-94"/>
        <source>--rank (or RANK) needs --world-size (or WORLD_SIZE).</source>
        <translation>--rank (または RANK) には --world-size (または WORLD_SIZE) が必要です。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>--rank %1 / --world-size %2: the rank must be a whole number from 0 to world size − 1.</source>
        <translation>--rank %1 / --world-size %2: ランクは 0 から（ワールドサイズ − 1）までの整数でなければなりません。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>--nproc starts local ranks itself; do not combine it with --rank/--world-size.</source>
        <translation>--nproc はローカルのランクを自分で起動します。--rank/--world-size と併用しないでください。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>--master-port (or MASTER_PORT): &quot;%1&quot; is not a port number (1 to 65535).</source>
        <translation>--master-port (または MASTER_PORT): &quot;%1&quot; はポート番号 (1〜65535) ではありません。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Cannot read the config %1: %2</source>
        <translation>設定 %1 を読めません: %2</translation>
    </message>
    <message>
        <location line="+124"/>
        <source>List the workspace&apos;s distillation runs: status, base model, steps done and the step of the last checkpoint, final losses, lineage.</source>
        <translation>ワークスペースの蒸留実行を一覧表示します: 状態、ベースモデル、完了ステップと最後のチェックポイントのステップ、最終損失、系譜。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>%1 (resumes from its checkpoint at %2)</source>
        <translation>%1 (ステップ %2 のチェックポイントから再開)</translation>
    </message>
    <message>
        <location line="-131"/>
        <source>Cancelled at step %1; resume with: sdrt distill %2 --resume %3</source>
        <translation>ステップ %1 でキャンセルしました。再開するには: sdrt distill %2 --resume %3</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Warning: %1.</source>
        <translation>警告: %1。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Student &quot;%1&quot; written to %2 (%3 trainable parameters on a base of %4).</source>
        <translation>生徒モデル「%1」を %2 に書き出しました（学習パラメーター %3、ベース %4）。</translation>
    </message>
    <message>
        <location filename="../../app/cli/GenerateCommands.cpp" line="-100"/>
        <source>Model name or id.</source>
        <translation>モデル名または ID。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Comma-separated prompt names (name or name:version); default all.</source>
        <translation>カンマ区切りのプロンプト名（名前 または 名前:版）。既定はすべて。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>train or eval; default both.</source>
        <translation>train または eval。既定は両方。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Task family.</source>
        <translation>タスク種別。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only items whose question, answer or note contains this text.</source>
        <translation>質問・回答・メモにこの文字列を含む項目だけ。</translation>
    </message>
    <message>
        <location filename="../../app/cli/EvalCommands.cpp" line="+45"/>
        <source>Mark an evaluation&apos;s wrong answers (or its regressions against another evaluation) for review: the review queue can then show just those items.</source>
        <translation>評価の誤答（または別の評価に対する後退）をレビュー対象に印付けします。レビューの待ち行列でそれらの項目だけを表示できます。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Evaluation name.</source>
        <translation>評価名。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only items this other evaluation got right.</source>
        <translation>この別の評価が正解した項目だけ。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>There is no evaluation &quot;%1&quot; in %2.</source>
        <translation>%2 に評価「%1」はありません。</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Marked %1 items for review as &quot;%2&quot; (%3 new); %4 of them have traces to review (review queue filter &quot;from&quot;: %2).</source>
        <translation>%1 件の項目を「%2」としてレビュー対象に印付けしました（新規 %3 件）。そのうち %4 件にレビューできるトレースがあります（レビュー待ち行列のフィルター「出所」: %2）。</translation>
    </message>
    <message>
        <location line="+131"/>
        <source>Evaluate a model (base or student) on a split: answers stored with their cost, scores per task family with bootstrap 95 % intervals. stdout: one JSON object per line.</source>
        <translation>モデル（ベースまたは生徒）を分割で評価します: 回答をコストとともに保存し、タスク種別ごとのスコアをブートストラップ 95 % 区間つきで示します。stdout: 1 行に 1 つの JSON オブジェクト。</translation>
    </message>
    <message>
        <location filename="../../app/cli/GenerateCommands.cpp" line="+1"/>
        <source>At most this many items (the first in id order).</source>
        <translation>最大この件数の項目（ID 順の先頭から）。</translation>
    </message>
    <message>
        <location filename="../../app/cli/EvalCommands.cpp" line="-196"/>
        <source>Warning: evaluation &quot;%1&quot; is %2, not done: it covers only the items it answered (sdrt eval WS --resume %1 finishes it).</source>
        <translation>警告: 評価 &quot;%1&quot; は %2 で、完了していません。回答した項目だけが対象です (sdrt eval WS --resume %1 で完了できます)。</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>--regressions-vs names &quot;%1&quot; itself; an evaluation has no regressions against itself. Name another evaluation.</source>
        <translation>--regressions-vs に &quot;%1&quot; 自身が指定されています。評価は自分自身に対して後退しません。別の評価を指定してください。</translation>
    </message>
    <message>
        <location line="+166"/>
        <source>Give a workspace and either --model M (a new evaluation) or --resume NAME.</source>
        <translation>ワークスペースと、--model M（新しい評価）か --resume NAME のどちらかを指定してください。</translation>
    </message>
    <message>
        <location line="-93"/>
        <source>--mode: &quot;%1&quot; is not direct, two-step:PROMPT or ensemble.</source>
        <translation>--mode: 「%1」は direct、two-step:PROMPT、ensemble のいずれでもありません。</translation>
    </message>
    <message>
        <location line="-32"/>
        <source>Model name or id (a student answers through its adapter).</source>
        <translation>モデル名または ID（生徒モデルはアダプターを通して回答）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>direct, two-step:PROMPT (name or name:version) or ensemble.</source>
        <translation>direct、two-step:PROMPT（名前または 名前:版）、ensemble のいずれか。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ensemble prompts, comma separated (default: the newest of every prompt).</source>
        <translation>アンサンブルのプロンプト（カンマ区切り、既定: 各プロンプトの最新版）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ensemble vote: majority or logprob.</source>
        <translation>アンサンブルの投票: majority または logprob。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>train or eval.</source>
        <translation>train または eval。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only this task family.</source>
        <translation>このタスク種別だけ。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>At most this many items (the first in id order; default: all).</source>
        <translation>最大この件数の項目 (ID 順で先頭から。既定: すべて)。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Score every item with this metric: exact_match, anls, relaxed_accuracy, yes_no_accuracy, absolute_error.</source>
        <translation>すべての項目をこの指標で採点: exact_match、anls、relaxed_accuracy、yes_no_accuracy、absolute_error。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Evaluation name (default: eval-&lt;UTC time&gt;).</source>
        <translation>評価名（既定: eval-&lt;UTC 時刻&gt;）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resume an interrupted or cancelled evaluation (only the missing items run).</source>
        <translation>中断またはキャンセルした評価を再開します（未評価の項目だけ実行）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Items per batch.</source>
        <translation>バッチあたりの項目数。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seed of the two-step samples and of the bootstrap.</source>
        <translation>2 段階のサンプルとブートストラップのシード。</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>--vote: &quot;%1&quot; is not majority or logprob.</source>
        <translation>--vote: 「%1」は majority でも logprob でもありません。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>--split: &quot;%1&quot; is not train or eval.</source>
        <translation>--split: 「%1」は train でも eval でもありません。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>--metric: &quot;%1&quot; is not a metric (exact_match, anls, relaxed_accuracy, yes_no_accuracy, absolute_error).</source>
        <translation>--metric: 「%1」は指標ではありません（exact_match、anls、relaxed_accuracy、yes_no_accuracy、absolute_error）。</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Cancelled; resume with: sdrt eval %1 --resume %2</source>
        <translation>キャンセルしました。再開するには: sdrt eval %1 --resume %2</translation>
    </message>
    <message>
        <location line="+103"/>
        <source>Compare evaluations on their common items: score ± interval per metric and family, cost per answer, the significance of each difference against the first (paired bootstrap, McNemar&apos;s exact test).</source>
        <translation>評価を共通の項目で比較します: 指標・タスク種別ごとのスコアと区間、回答あたりのコスト、最初の評価との差の有意性（対応のあるブートストラップ、McNemar の正確検定）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Two or more evaluation names; the first is the reference.</source>
        <translation>2 つ以上の評価名。最初のものが基準です。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Write the per-item rows as CSV.</source>
        <translation>項目ごとの行を CSV で書き出します。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Write a self-contained HTML report.</source>
        <translation>単体で開ける HTML レポートを書き出します。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Replace existing files.</source>
        <translation>既存のファイルを置き換えます。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seed of the bootstrap.</source>
        <translation>ブートストラップのシード。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>--csv and --html name the same file (%1); give each its own.</source>
        <translation>--csv と --html が同じファイル (%1) を指しています。それぞれ別のファイルを指定してください。</translation>
    </message>
    <message>
        <location line="-67"/>
        <source>%1 common items</source>
        <translation>共通の項目 %1 件</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>[%1] − [0]: score %2 [%3, %4], paired bootstrap p %5, McNemar exact p %6; generations per answer %7 ([0]: %8; [0] / [%1] = %9)</source>
        <translation>[%1] − [0]: スコア %2 [%3, %4]、対応ブートストラップ p %5、McNemar 正確検定 p %6。回答あたりの生成回数 %7（[0]: %8、[0] / [%1] = %9）</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>    %1: %2 [%3, %4], paired bootstrap p %5, McNemar exact p %6</source>
        <translation>    %1: %2 [%3, %4]、対応ブートストラップ p %5、McNemar 正確検定 p %6</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>wrote %1</source>
        <translation>%1 を書き出しました</translation>
    </message>
    <message>
        <location filename="../../app/cli/GenerateCommands.cpp" line="+1"/>
        <source>Samples per prompt.</source>
        <translation>プロンプトごとのサンプル数。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rows generated together (a finished row takes the next work at once).</source>
        <translation>同時に生成する行数（終わった行はすぐ次の作業を受け取ります）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Store finished traces in groups of this many (or every 5 s); a crash loses at most one group.</source>
        <translation>完了したトレースをこの件数ごと（または 5 秒ごと）にまとめて保存します。クラッシュで失われるのは最大 1 グループです。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sampling temperature; 0 is greedy.</source>
        <translation>サンプリング温度。0 は貪欲法。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>top-k (0: off).</source>
        <translation>top-k（0: 無効）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>top-p (1: off).</source>
        <translation>top-p（1: 無効）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run seed.</source>
        <translation>実行のシード。</translation>
    </message>
    <message>
        <location filename="../../app/cli/BenchCommands.cpp" line="+370"/>
        <location filename="../../app/cli/GenerateCommands.cpp" line="+1"/>
        <source>Most new tokens of the analysis.</source>
        <translation>分析の最大新規トークン数。</translation>
    </message>
    <message>
        <location filename="../../app/cli/GenerateCommands.cpp" line="+1"/>
        <source>Most new tokens of the answer.</source>
        <translation>回答の最大新規トークン数。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Decoder layers for hidden states (comma-separated; default middle and last).</source>
        <translation>隠れ状態を取るデコーダ層（カンマ区切り。既定は中央と最終）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Do not store hidden states.</source>
        <translation>隠れ状態を保存しない。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>i/N: take every N-th item starting at i (0-based).</source>
        <translation>i/N: i 番目（0 始まり）から N 件ごとに項目を取る。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>With --shard: write into this shard folder (then sdrt merge).</source>
        <translation>--shard と併用: このシャードフォルダに書き込む（後で sdrt merge）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No per-item ensemble lines.</source>
        <translation>項目ごとのアンサンブル行を出さない。</translation>
    </message>
    <message>
        <location line="+114"/>
        <source>--split: &quot;%1&quot; is not a split (train or eval).</source>
        <translation>--split: &quot;%1&quot; は分割ではありません (train または eval)。</translation>
    </message>
    <message>
        <location line="-87"/>
        <source>No items match.</source>
        <translation>条件に合う項目がありません。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>--shard takes i/N, for example 0/2.</source>
        <translation>--shard には i/N を指定します（例: 0/2）。</translation>
    </message>
    <message>
        <location line="+89"/>
        <source>generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location line="-81"/>
        <source>run %1 resumes interrupted run %2 (%3 ok and %4 failed traces stored when it stopped)</source>
        <translation>実行 %1 は中断された実行 %2 を再開します (停止時点で成功 %3 件、失敗 %4 件のトレースを保存済み)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>run %1%2: %3 items, %4 traces planned (%5 already done), %6 ok, %7 failed in %8 s (%9 traces/min)</source>
        <translation>実行 %1%2: 項目 %3 件、予定トレース %4 件（完了済み %5 件）、成功 %6 件、失敗 %7 件、%8 秒（毎分 %9 トレース）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> (cancelled)</source>
        <translation>（中止）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>hidden states: layers %1, %2 bytes per trace (fp16), %3 MiB in all</source>
        <translation>隠れ状態: 層 %1、トレースあたり %2 バイト（fp16）、合計 %3 MiB</translation>
    </message>
    <message>
        <location line="-128"/>
        <source>item %1 left out of the ensemble summary: %2</source>
        <translation>項目 %1 はアンサンブルの集計から外しました: %2</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>(majority right)</source>
        <translation>（多数決は正解）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>(majority wrong)</source>
        <translation>（多数決は不正解）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>ensemble over %1 items: mean agreement %2; against the reference (%3 items): majority vote %4%, weighted vote %5%</source>
        <translation>%1 項目のアンサンブル: 平均一致率 %2。参照回答との比較（%3 項目）: 多数決 %4%、重み付き投票 %5%</translation>
    </message>
    <message>
        <location line="+187"/>
        <source>Merge shard folders made by sdrt generate --shard i/N --out DIR into the workspace.</source>
        <translation>sdrt generate --shard i/N --out DIR で作ったシャードフォルダをワークスペースに統合します。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shard folders.</source>
        <translation>シャードフォルダ。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1: %2 traces added</source>
        <translation>%1: %2 件のトレースを追加</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>merged: %1 traces added</source>
        <translation>統合: %1 件のトレースを追加</translation>
    </message>
    <message>
        <location filename="../../app/cli/BenchCommands.cpp" line="-4"/>
        <source>Benchmark teacher runs: traces per minute at batch 1 and 8, hidden-state bytes per trace.</source>
        <translation>教師実行のベンチマーク: バッチ 1 と 8 での毎分トレース数、トレースあたりの隠れ状態バイト数。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Demo items.</source>
        <translation>デモ項目数。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Memory for cached prompt beginnings (0: off).</source>
        <translation>プロンプト冒頭のキャッシュに使うメモリ（MiB、0: 無効）。</translation>
    </message>
    <message>
        <location filename="../../app/cli/GenerateCommands.cpp" line="+24"/>
        <source>List the workspace&apos;s teacher runs: status, model, counts of the traces stored, times. A run whose process died shows as interrupted.</source>
        <translation>ワークスペースの教師実行を一覧表示します: 状態、モデル、保存済みトレース数、時刻。プロセスが終了した実行は「中断」と表示されます。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>run	status	model	ok	failed	shard	started	finished	note</source>
        <translation>run	status	model	ok	failed	shard	started	finished	note</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>resumes run %1</source>
        <translation>実行 %1 を再開</translation>
    </message>
    <message>
        <location filename="../../app/cli/InitImportCommands.cpp" line="+3"/>
        <source>Folder or manifest.jsonl.</source>
        <translation>フォルダーまたは manifest.jsonl。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resolution for PDF pages.</source>
        <translation>PDF ページの解像度。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Largest image or page accepted, in pixels.</source>
        <translation>受け付ける画像・ページの最大ピクセル数。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Create the workspace if it does not exist.</source>
        <translation>ワークスペースがなければ作成します。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>--dpi must be between 10 and 1200.</source>
        <translation>--dpi は 10 から 1200 の間で指定してください。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>--max-pixels must be a positive number.</source>
        <translation>--max-pixels は正の数で指定してください。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>import</source>
        <translation>取り込み</translation>
    </message>
    <message>
        <location filename="../../app/cli/GenerateCommands.cpp" line="-157"/>
        <location filename="../../app/cli/InitImportCommands.cpp" line="+7"/>
        <source>failed: %1</source>
        <translation>失敗: %1</translation>
    </message>
    <message>
        <location filename="../../app/cli/PromptCommands.cpp" line="+14"/>
        <source>The prompt library.
  list               the prompts, their versions and hashes
  show NAME          a prompt file
  render NAME        a rendered step (--step, --question, --note, --images, --query1)
  register WS        store the library&apos;s versions in a workspace</source>
        <translation>プロンプトライブラリ。
  list               プロンプト、そのバージョンとハッシュ
  show NAME          プロンプトファイル
  render NAME        レンダリングしたステップ (--step, --question, --note, --images, --query1)
  register WS        ライブラリのバージョンをワークスペースに保存</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Prompt folder (default: the shipped library).</source>
        <translation>プロンプトフォルダー（既定: 同梱ライブラリ）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Step to render (1 or 2).</source>
        <translation>描画するステップ（1 または 2）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Question text.</source>
        <translation>質問文。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note text.</source>
        <translation>メモの本文。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Number of images.</source>
        <translation>画像の数。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Step-1 answer for step 2.</source>
        <translation>ステップ 2 に渡すステップ 1 の回答。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>No prompt named &quot;%1&quot; in %2.</source>
        <translation>%2 に &quot;%1&quot; という名前のプロンプトはありません。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>--step must be 1 or 2.</source>
        <translation>--step は 1 か 2 で指定してください。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Registered %1 prompt versions.</source>
        <translation>%1 件のプロンプト版を登録しました。</translation>
    </message>
    <message>
        <location filename="../../app/sdrt_main.cpp" line="+20"/>
        <source>usage: sdrt COMMAND [ARGS]

  init WS                    create a workspace
  import WS PATH             import a folder or manifest.jsonl
  prompts list|show|render|register
  demo make-data DIR         write a synthetic factory data set
  model make-tiny|info|generate|register|list   the VLM runtime, models in a workspace
  generate WS --model M      run the prompt library two-step over items (traces)
  merge WS SHARD...          merge shard folders of sdrt generate --shard
  runs WS                    teacher runs: status (interrupted when the process died), counts
  review accept-matching WS  simulated reviewer: accept the traces whose answer matches the reference
  distill WS --base M        distil approved traces into a student (--resume RUN, --nproc N)
  distill-runs WS            distillation runs: status, steps, final losses, lineage
  eval WS --model M          evaluate a model or student: scores with intervals, cost per answer
  compare WS EVAL EVAL...    compare evaluations: differences, significance, cost; --csv, --html
  export WS [--format llava|flat]   approved traces / every review, as JSON Lines
  bench import|model|generate   benchmarks

Run &apos;sdrt COMMAND --help&apos; for a command&apos;s options.</source>
        <translation>使い方: sdrt COMMAND [ARGS]

  init WS                    ワークスペースを作成
  import WS PATH             フォルダーまたは manifest.jsonl をインポート
  prompts list|show|render|register
  demo make-data DIR         合成の工場データセットを書き出す
  model make-tiny|info|generate|register|list   VLM ランタイム、ワークスペースのモデル
  generate WS --model M      プロンプトライブラリを項目ごとに二段階で実行 (トレース)
  merge WS SHARD...          sdrt generate --shard のシャードフォルダーをマージ
  runs WS                    教師実行: 状態 (プロセスが終了していれば中断)、件数
  review accept-matching WS  模擬レビュアー: 回答が参照解答と一致するトレースを承認
  distill WS --base M        承認済みトレースを生徒モデルに蒸留 (--resume RUN, --nproc N)
  distill-runs WS            蒸留実行: 状態、ステップ、最終損失、由来
  eval WS --model M          モデルまたは生徒モデルを評価: 区間つきスコア、回答あたりのコスト
  compare WS EVAL EVAL...    評価を比較: 差、有意性、コスト。--csv、--html
  export WS [--format llava|flat]   承認済みトレース / すべてのレビューを JSON Lines で
  bench import|model|generate   ベンチマーク

コマンドのオプションは &apos;sdrt COMMAND --help&apos; で表示します。</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Unknown command &quot;%1&quot;.</source>
        <translation>不明なコマンド &quot;%1&quot;。</translation>
    </message>
    <message>
        <location filename="../../app/cli/ModelToolCommands.cpp" line="+1"/>
        <source>Use the Mistral [INST] chat template.</source>
        <translation>Mistral の [INST] チャットテンプレートを使います。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A ~100M-parameter shape instead of the tiny one.</source>
        <translation>小型ではなく約 1 億パラメータの構成にします。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A LLaVA-NeXT (1.6): anyres image grid of 336-pixel views, Mistral text config and [INST] template.</source>
        <translation>LLaVA-NeXT (1.6) を作る: 336 ピクセルのビューによる anyres 画像グリッド、Mistral のテキスト設定と [INST] テンプレート。</translation>
    </message>
    <message>
        <location filename="../../app/cli/DemoCommands.cpp" line="-27"/>
        <location filename="../../app/cli/ModelToolCommands.cpp" line="+2"/>
        <source>Write into a folder that already has files (they may be replaced).</source>
        <translation>ファイルのあるフォルダーにも書き込みます (置き換えられることがあります)。</translation>
    </message>
    <message>
        <location filename="../../app/cli/Console.cpp" line="+19"/>
        <source>%1 is a file, not a folder.</source>
        <translation>%1 はファイルで、フォルダーではありません。</translation>
    </message>
    <message>
        <location filename="../../app/cli/ModelToolCommands.cpp" line="+23"/>
        <source>--100m and --next are different shapes; choose one.</source>
        <translation>--100m と --next は別の形です。どちらか一つを選んでください。</translation>
    </message>
    <message>
        <location filename="../../app/cli/GenerateCommands.cpp" line="-57"/>
        <location filename="../../app/cli/ModelCommands.cpp" line="-229"/>
        <source>cpu, cuda[:N] or auto.</source>
        <translation>cpu、cuda[:N]、auto のいずれか。</translation>
    </message>
    <message>
        <location filename="../../app/cli/ModelCommands.cpp" line="+5"/>
        <source>fp32, fp16, bf16 or auto.</source>
        <translation>fp32、fp16、bf16、auto のいずれか。</translation>
    </message>
    <message>
        <location filename="../../app/cli/BenchCommands.cpp" line="-3"/>
        <location filename="../../app/cli/DemoCommands.cpp" line="-69"/>
        <location filename="../../app/cli/ModelCommands.cpp" line="+86"/>
        <location line="+130"/>
        <source>Model folder.</source>
        <translation>モデルフォルダー。</translation>
    </message>
    <message>
        <location filename="../../app/cli/ModelToolCommands.cpp" line="-32"/>
        <source>Write a random tiny LLaVA (or Qwen3-VL) in the Hugging Face layout.</source>
        <translation>ランダムな小さい LLaVA (または Qwen3-VL) を Hugging Face の形式で書き出します。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>A Qwen3-VL, with a byte-level BPE tokenizer.json of its own and a ChatML template.</source>
        <translation>Qwen3-VL (独自のバイトレベル BPE の tokenizer.json と ChatML テンプレート付き)。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>--qwen3vl is its own family; --next and --mistral do not apply to it.</source>
        <translation>--qwen3vl は別のモデルファミリーです。--next と --mistral は使えません。</translation>
    </message>
    <message>
        <location filename="../../app/cli/ModelCommands.cpp" line="-127"/>
        <source>Count the grid and image tokens of an image of this size (repeatable).</source>
        <translation>このサイズの画像のグリッドと画像トークン数を数えます (複数指定可)。</translation>
    </message>
    <message>
        <location line="-74"/>
        <source>--image-size wants WIDTHxHEIGHT in pixels, such as 640x480, not &quot;%1&quot;.</source>
        <translation>--image-size には 640x480 のように 幅x高さ (ピクセル) を指定してください。「%1」は使えません。</translation>
    </message>
    <message>
        <location line="+199"/>
        <source>Generate an answer for images and a prompt.</source>
        <translation>画像とプロンプトから回答を生成します。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Image file (repeatable).</source>
        <translation>画像ファイル（複数指定可）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The user&apos;s text; &lt;image&gt; marks are added when missing.</source>
        <translation>ユーザーの文。&lt;image&gt; がなければ自動で付けます。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Use the prompt as it is, without the chat template.</source>
        <translation>チャットテンプレートを使わずにプロンプトをそのまま使います。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Most new tokens.</source>
        <translation>生成する最大トークン数。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>0 for greedy.</source>
        <translation>0 で貪欲法。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Stop string (repeatable).</source>
        <translation>停止文字列（複数指定可）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Answer as a student: a distillation run folder (its adapter.safetensors) made on DIR.</source>
        <translation>生徒モデルとして回答: DIR 上で作った蒸留実行フォルダー（adapter.safetensors）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>DIR is the name of a model registered in this workspace (a student: its base with its adapter).</source>
        <translation>DIR はこのワークスペースに登録したモデルの名前です（生徒モデルならベースとアダプター）。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Print one JSON object: prompt_ids (image tokens expanded), ids, text, image_grid and image_tokens per image.</source>
        <translation>JSON オブジェクトを 1 つ出力します: prompt_ids (画像トークン展開後)、ids、text、画像ごとの image_grid と image_tokens。</translation>
    </message>
    <message>
        <location line="-73"/>
        <source>There is no model &quot;%1&quot; in %2.</source>
        <translation>%2 にモデル「%1」はありません。</translation>
    </message>
    <message>
        <location line="+129"/>
        <source>Register a model folder in a workspace (by content hash).</source>
        <translation>モデルフォルダをワークスペースに登録します（内容ハッシュで識別）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Model folder (Hugging Face layout).</source>
        <translation>モデルフォルダ（Hugging Face 形式）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name shown in the workbench (default: the folder name).</source>
        <translation>ワークベンチでの表示名（既定: フォルダ名）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>base or student.</source>
        <translation>base または student。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy the model files into the workspace&apos;s models/ folder.</source>
        <translation>モデルファイルをワークスペースの models/ フォルダにコピーする。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>--role: unknown model role &quot;%1&quot; (base or student).</source>
        <translation>--role: 不明なモデルの役割「%1」です（base または student）。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>model %1 &quot;%2&quot; (%3), content hash %4, at %5</source>
        <translation>モデル %1「%2」（%3）、内容ハッシュ %4、場所 %5</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>List the models registered in a workspace.</source>
        <translation>ワークスペースに登録されたモデルを一覧表示します。</translation>
    </message>
    <message>
        <location filename="../../app/cli/ModelToolCommands.cpp" line="-49"/>
        <source>Wrote %1 %2.</source>
        <translation>%1 を書き出しました%2。</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>(Qwen3-VL, vocabulary %1, %2 decoder layers, %3 parameters)</source>
        <translation> (Qwen3-VL、語彙 %1、デコーダー %2 層、パラメーター %3)</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>(vocabulary %1, %2 decoder layers)</source>
        <translation>（語彙 %1、デコーダー %2 層）</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Decode token ids with a model folder&apos;s tokenizer (tokenizer.json, else tokenizer.model). stdin: {&quot;ids&quot;: [..]} per line; stdout: {&quot;text&quot;: &quot;…&quot;} (special tokens kept).</source>
        <translation>モデルフォルダーのトークナイザー (tokenizer.json、なければ tokenizer.model) でトークン ID を復号します。stdin: 1 行に {&quot;ids&quot;: [..]}、stdout: {&quot;text&quot;: &quot;…&quot;} (特殊トークンも残します)。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Encode text with a model folder&apos;s tokenizer (tokenizer.json, else tokenizer.model). stdin: {&quot;text&quot;: &quot;…&quot;, &quot;add_special_tokens&quot;: true} per line; stdout: {&quot;ids&quot;: [..]}.</source>
        <translation>モデルフォルダーのトークナイザー (tokenizer.json、なければ tokenizer.model) でテキストを符号化します。stdin: 1 行に {&quot;text&quot;: &quot;…&quot;, &quot;add_special_tokens&quot;: true}、stdout: {&quot;ids&quot;: [..]}。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A folder with tokenizer.json or tokenizer.model.</source>
        <translation>tokenizer.json または tokenizer.model のあるフォルダー。</translation>
    </message>
    <message>
        <location line="-97"/>
        <source>JSON Lines on stdin and stdout (required).</source>
        <translation>stdin と stdout に JSON Lines (必須)。</translation>
    </message>
    <message>
        <location line="+149"/>
        <source>Render a model folder&apos;s chat template (chat_template.jinja, chat_template.json or tokenizer_config.json). stdin: {&quot;messages&quot;: [..], &quot;add_generation_prompt&quot;: true, &quot;extra&quot;: {..}} per line; stdout: {&quot;text&quot;: &quot;…&quot;} or {&quot;error&quot;: &quot;…&quot;}.</source>
        <translation>モデルフォルダーのチャットテンプレート (chat_template.jinja、chat_template.json または tokenizer_config.json) を描画します。stdin: 1 行に {&quot;messages&quot;: [..], &quot;add_generation_prompt&quot;: true, &quot;extra&quot;: {..}}、stdout: {&quot;text&quot;: &quot;…&quot;} または {&quot;error&quot;: &quot;…&quot;}。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A folder with a chat template.</source>
        <translation>チャットテンプレートのあるフォルダー。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 has no chat template (chat_template.jinja, chat_template.json or tokenizer_config.json).</source>
        <translation>%1 にはチャットテンプレート (chat_template.jinja、chat_template.json または tokenizer_config.json) がありません。</translation>
    </message>
    <message>
        <location filename="../../app/cli/ReviewCommands.cpp" line="+16"/>
        <source>Export reviewed traces: the approved ones as LLaVA conversations (llava), or every review row with its provenance (flat). JSON Lines, UTF-8.</source>
        <translation>レビュー済みトレースを書き出します: 承認されたものを LLaVA 会話形式で (llava)、またはすべてのレビュー行を来歴付きで (flat)。JSON Lines、UTF-8。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>llava or flat.</source>
        <translation>llava または flat。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Output file (default: a new file under WS/exports).</source>
        <translation>出力ファイル（既定: WS/exports の下の新しいファイル）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Approval policy for this export, MIN_ACCEPTS,MAX_REJECTS (-1: rejects do not matter); default: the workspace&apos;s.</source>
        <translation>この書き出しの承認ポリシー MIN_ACCEPTS,MAX_REJECTS（-1: 却下数を問わない）。既定: ワークスペースの設定。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Replace the output file if it exists (never a file of a workspace).</source>
        <translation>出力ファイルが既にあれば置き換えます (ワークスペースのファイルは決して置き換えません)。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Unknown export format &quot;%1&quot;: use llava or flat.</source>
        <translation>不明な書き出し形式 &quot;%1&quot; です。llava か flat を指定してください。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>%1 lines written to %2 (policy: %3; %4 approved of %5 traces; reviewers: %6)</source>
        <translation>%1 行を %2 に書き出しました（ポリシー: %3、トレース %5 件中 %4 件承認、レビュー担当: %6）</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>SIMULATED review: accept exactly the traces whose answer matches the reference answer.</source>
        <translation>模擬レビュー: 回答が参照解答と一致するトレースだけを承認します。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reviewer name the verdicts are stored under.</source>
        <translation>判定を保存するレビュアー名。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>--reviewer: a reviewer name cannot be empty.</source>
        <translation>--reviewer: レビュー担当者名は空にできません。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>--reviewer: &quot;%1&quot; is not a simulated reviewer&apos;s name. Verdicts made by this rule are stored under a name that starts with &quot;%2&quot; (for example %2reference-match), so they are never taken for a person&apos;s.</source>
        <translation>--reviewer: &quot;%1&quot; は模擬レビュー担当者の名前ではありません。この規則による判定は &quot;%2&quot; で始まる名前 (例: %2reference-match) で保存され、人の判定と取り違えられないようにします。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Simulated review by &quot;%1&quot;: accepted %2 traces whose answer matches the reference (%3 traces in all; approved now under the workspace policy: %4).</source>
        <translation>「%1」による模擬レビュー: 参照解答と一致するトレース %2 件を承認しました（全 %3 件。ワークスペースのポリシーで現在承認済み: %4 件）。</translation>
    </message>
    <message>
        <location filename="../../app/cli/Console.cpp" line="+14"/>
        <location line="+49"/>
        <source>%1: &quot;%2&quot; is not a whole number.</source>
        <translation>%1: &quot;%2&quot; は整数ではありません。</translation>
    </message>
    <message>
        <location line="-96"/>
        <source>%1 --help lists the options.</source>
        <translation>%1 --help でオプションを一覧表示します。</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>%1 is a workspace; %2 never writes into a workspace&apos;s root. Give a new folder.</source>
        <translation>%1 はワークスペースです。%2 はワークスペースの最上位には書き込みません。新しいフォルダーを指定してください。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 is not empty; %2 writes only into a new or empty folder (--force writes there anyway, replacing the files it makes).</source>
        <translation>%1 は空ではありません。%2 は新しいフォルダーか空のフォルダーにだけ書き込みます (--force を付けると、作成するファイルを置き換えて書き込みます)。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>%1: %2 is too small (at least %3).</source>
        <translation>%1: %2 は小さすぎます (%3 以上)。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: %2 is too large (at most %3).</source>
        <translation>%1: %2 は大きすぎます (%3 以下)。</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+15"/>
        <location line="+29"/>
        <source>%1: %2 is out of range (%3 to %4).</source>
        <translation>%1: %2 は範囲外です (%3 から %4)。</translation>
    </message>
    <message>
        <location line="-32"/>
        <source>%1: &quot;%2&quot; is not a number.</source>
        <translation>%1: &quot;%2&quot; は数値ではありません。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1: %2 is out of range (above %3, at most %4).</source>
        <translation>%1: %2 は範囲外です (%3 より大きく %4 以下)。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>%1: &quot;%2&quot; is not a whole number of 0 or more.</source>
        <translation>%1: &quot;%2&quot; は 0 以上の整数ではありません。</translation>
    </message>
</context>
<context>
    <name>sdrt::demo</name>
    <message>
        <location filename="../../core/demo/src/FactoryWorld.cpp" line="+277"/>
        <source>Cannot write %1: %2</source>
        <translation>%1 を書き込めません: %2</translation>
    </message>
    <message>
        <location line="+105"/>
        <location line="+54"/>
        <source>Cannot create the folder %1.</source>
        <translation>フォルダー %1 を作成できません。</translation>
    </message>
    <message>
        <location line="-46"/>
        <source>Cancelled.</source>
        <translation>中止しました。</translation>
    </message>
</context>
<context>
    <name>sdrt::distill</name>
    <message>
        <location filename="../../core/distill/src/Dataset.cpp" line="+199"/>
        <source>%1 approved traces, %2 used</source>
        <translation>承認済みトレース %1 件、使用 %2 件</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 not in the train split</source>
        <translation>学習分割外 %1 件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 made by another model</source>
        <translation>別モデル作成 %1 件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 without stored hidden states</source>
        <translation>隠れ状態なし %1 件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 whose hidden states were made by other weights</source>
        <translation>別の重みで作られた隠れ状態 %1 件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 unreadable</source>
        <translation>読めない %1 件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 left out by max_traces</source>
        <translation>max_traces で除外 %1 件</translation>
    </message>
    <message>
        <location line="-150"/>
        <source>trace %1: item %2: %3</source>
        <translation>トレース %1: 項目 %2: %3</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>trace %1: no hidden states were stored</source>
        <translation>トレース %1: 隠れ状態が保存されていません</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>trace %1: %2 is missing</source>
        <translation>トレース %1: %2 がありません</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>trace %1: %2</source>
        <translation>トレース %1: %2</translation>
    </message>
    <message>
        <location line="-24"/>
        <source>trace %1: its hidden states in %2 were made by model %3, not by %4 (%5)</source>
        <translation>トレース %1: %2 の隠れ状態はモデル %3 が作ったもので、%4（%5）のものではありません</translation>
    </message>
    <message>
        <location filename="../../core/distill/src/Models.cpp" line="+19"/>
        <source>Student &quot;%1&quot; does not name its base model.</source>
        <translation>生徒モデル「%1」にベースモデルの指定がありません。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The base model (id %1) of student &quot;%2&quot; is not in the workspace.</source>
        <translation>生徒モデル「%2」のベースモデル（ID %1）がワークスペースにありません。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Cannot load student &quot;%1&quot;: %2</source>
        <translation>生徒モデル「%1」を読み込めません: %2</translation>
    </message>
    <message>
        <location filename="../../core/distill/src/DistillJob.cpp" line="+97"/>
        <source>Cannot distil: %1.</source>
        <translation>蒸留できません: %1。</translation>
    </message>
    <message>
        <location line="+87"/>
        <location line="+24"/>
        <source>rank %1: %2</source>
        <translation>ランク %1: %2</translation>
    </message>
    <message>
        <location filename="../../core/distill/src/DistillPlan.cpp" line="+25"/>
        <source>There is no model &quot;%1&quot; in %2. Register it with: sdrt model register %2 DIR --name %1</source>
        <translation>%2 にモデル「%1」はありません。登録するには: sdrt model register %2 DIR --name %1</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>There is no distillation run &quot;%1&quot; in %2 (sdrt distill-runs %2 lists them).</source>
        <translation>%2 に蒸留実行「%1」はありません（一覧は sdrt distill-runs %2）。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Run &quot;%1&quot;: %2</source>
        <translation>実行「%1」: %2</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>&quot;%1&quot; cannot be a run name (it names a folder under runs/).</source>
        <translation>「%1」は実行名にできません（runs/ の下のフォルダー名になります）。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>A distillation run named &quot;%1&quot; already exists; choose another --name, or --resume %1.</source>
        <translation>蒸留実行「%1」は既にあります。別の --name を指定するか、--resume %1 で再開してください。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A model named &quot;%1&quot; already exists (id %2); the student takes its run&apos;s name, so choose another --name.</source>
        <translation>モデル &quot;%1&quot; は既にあります (ID %2)。生徒モデルは実行の名前を名乗るので、別の --name を選んでください。</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>%1 processes for a batch of %2: every process needs at least one trace per step. Use at most %2 processes, or a larger &quot;batch&quot; in the config.</source>
        <translation>バッチ %2 に %1 プロセスです。各プロセスは 1 ステップに少なくとも 1 トレースが必要です。プロセスを %2 以下にするか、設定の &quot;batch&quot; を大きくしてください。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Model &quot;%1&quot; is a %2; a distillation starts from a base model.</source>
        <translation>モデル「%1」は %2 です。蒸留はベースモデルから始めます。</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>Run &quot;%1&quot; trained on %2 traces; %3 of them cannot be used now:</source>
        <translation>実行 &quot;%1&quot; は %2 件のトレースで学習しました。そのうち %3 件は現在使えません:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Resuming would train its remaining steps on other data than its first ones. Restore those files (or start a new run).</source>
        <translation>再開すると、残りのステップを最初のステップとは別のデータで学習することになります。それらのファイルを復元してください (または新しい実行を始めてください)。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>data: the run&apos;s lineage, %1 traces as recorded when it started; reviews made since then do not change a run that is under way (start a new run to train on the traces approved now).</source>
        <translation>データ: 実行の系譜、開始時に記録した %1 件のトレース。その後のレビューは進行中の実行を変えません (今承認されているトレースで学習するには新しい実行を始めてください)。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>data: %1 (policy: %2)</source>
        <translation>データ: %1（承認ポリシー: %2）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No approved traces of the train split with the base model&apos;s hidden states: nothing to distil. Review traces (accept some) or change the approval policy.</source>
        <translation>ベースモデルの隠れ状態を持つ学習分割の承認済みトレースがありません。蒸留するものがありません。トレースをレビュー（承認）するか、承認ポリシーを変更してください。</translation>
    </message>
    <message>
        <location filename="../../core/distill/src/Distributed.cpp" line="+54"/>
        <source>Cannot start rank %1: %2</source>
        <translation>ランク %1 を起動できません: %2</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>the rendezvous at %1:%2 did not return within %3 s (rank %4 of %5); is another program using the port?</source>
        <translation>%1:%2 での待ち合わせが %3 秒以内に戻りませんでした (ランク %4 / %5)。別のプログラムがこのポートを使っていませんか?</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>the ranks could not compare their settings: %1</source>
        <translation>ランク間で設定を照合できませんでした: %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>config</source>
        <translation>設定</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>base model</source>
        <translation>ベースモデル</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>training traces</source>
        <translation>学習トレース</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>rank %1&apos;s %2</source>
        <translation>ランク %1 の%2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the ranks would not train the same run: %1 differ from rank 0&apos;s. Every rank needs the same workspace, base model, config and approvals; no rank trains.</source>
        <translation>ランクどうしが同じ実行を学習しません: %1 がランク 0 と異なります。すべてのランクに同じワークスペース、ベースモデル、設定、承認が必要です。どのランクも学習しません。</translation>
    </message>
    <message>
        <location filename="../../core/distill/config/DistillConfig.cpp" line="+41"/>
        <source>The distillation config is empty; it must be a JSON object such as {&quot;steps&quot;: 200}.</source>
        <translation>蒸留設定が空です。{&quot;steps&quot;: 200} のような JSON オブジェクトにしてください。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The distillation config must be a JSON object such as {&quot;steps&quot;: 200}, not %1.</source>
        <translation>蒸留設定は {&quot;steps&quot;: 200} のような JSON オブジェクトでなければなりません (%1 ではなく)。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a list</source>
        <translation>リスト</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a string</source>
        <translation>文字列</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>null</source>
        <translation>null</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>true or false</source>
        <translation>true または false</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a number or other bare value</source>
        <translation>数値などの単独の値</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The distillation config is not valid JSON: %1 (at byte %2).</source>
        <translation>蒸留の設定が正しい JSON ではありません: %1（%2 バイト目）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The distillation config must be a JSON object.</source>
        <translation>蒸留の設定は JSON オブジェクトでなければなりません。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The distillation config names &quot;%1&quot; twice%2; each key may appear once (which value was meant?).</source>
        <translation>蒸留設定で &quot;%1&quot; が 2 回指定されています%2。各キーは 1 回だけ指定できます (どちらの値のつもりでしたか?)。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> (in %1)</source>
        <translation> (%1 内)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Unknown key &quot;%1&quot; in the distillation config. Known keys: %2.</source>
        <translation>蒸留の設定に不明なキー「%1」があります。使えるキー: %2。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>&quot;%1&quot; must be a whole number from %2 to %3.</source>
        <translation>「%1」は %2 から %3 までの整数でなければなりません。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&quot;%1&quot; must be a number from %2 to %3.</source>
        <translation>「%1」は %2 から %3 までの数でなければなりません。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&quot;%1&quot; must be true or false.</source>
        <translation>「%1」は true か false でなければなりません。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&quot;%1&quot; must be a whole number from 0.</source>
        <translation>「%1」は 0 以上の整数で指定してください。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&quot;%1&quot; must be a list of layer numbers.</source>
        <translation>「%1」は層番号のリストでなければなりません。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&quot;%1&quot; must be a list of layer numbers (whole numbers from 0).</source>
        <translation>「%1」は層番号（0 以上の整数）のリストでなければなりません。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&quot;%1&quot; names layer %2 twice; each layer may appear once.</source>
        <translation>&quot;%1&quot; で層 %2 が 2 回指定されています。各層は 1 回だけ指定できます。</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>&quot;hidden_loss&quot; must be &quot;mse&quot; or &quot;cosine&quot;.</source>
        <translation>「hidden_loss」は「mse」か「cosine」でなければなりません。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&quot;policy&quot;: %1</source>
        <translation>「policy」: %1</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Both the adapter and the skip connection are off: the student would have nothing to train.</source>
        <translation>アダプターとスキップ接続の両方が無効です。生徒モデルに学習するものがありません。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Both loss terms are off (cross_entropy false and lambda_hidden 0).</source>
        <translation>損失項が両方とも無効です（cross_entropy が false、lambda_hidden が 0）。</translation>
    </message>
    <message>
        <location filename="../../core/distill/src/DistillRecorder.cpp" line="+22"/>
        <source>Cannot create the folder %1.</source>
        <translation>フォルダー %1 を作成できません。</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>%1 (and the run could not be marked failed: %2)</source>
        <translation>%1（さらに実行を失敗として記録できませんでした: %2）</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>the student could not be registered: %1</source>
        <translation>生徒モデルを登録できませんでした: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The student of run &quot;%1&quot; is saved, but the run could not be marked done: %2</source>
        <translation>実行「%1」の生徒モデルは保存されましたが、実行を完了にできませんでした: %2</translation>
    </message>
</context>
<context>
    <name>sdrt::eval</name>
    <message>
        <location filename="../../core/eval/src/Compare.cpp" line="+217"/>
        <source>A comparison needs at least two evaluations.</source>
        <translation>比較には 2 つ以上の評価が必要です。</translation>
    </message>
    <message>
        <location line="-133"/>
        <location filename="../../core/eval/src/EvalPlan.cpp" line="+37"/>
        <source>There is no evaluation &quot;%1&quot; in %2.</source>
        <translation>%2 に評価「%1」はありません。</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>The evaluations have no scored item in common.</source>
        <translation>評価に共通の採点済み項目がありません。</translation>
    </message>
    <message>
        <location line="+131"/>
        <source>The comparison was cancelled.</source>
        <translation>比較は取り消されました。</translation>
    </message>
    <message>
        <location line="+185"/>
        <location line="+5"/>
        <source>Evaluation comparison</source>
        <translation>評価の比較</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 common items.</source>
        <translation>共通の項目 %1 件。</translation>
    </message>
    <message>
        <location line="-154"/>
        <location line="+83"/>
        <location line="+34"/>
        <source>family</source>
        <translation>タスク種別</translation>
    </message>
    <message>
        <location line="-110"/>
        <location line="+49"/>
        <source>all</source>
        <translation>全体</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Differences against the first evaluation</source>
        <translation>最初の評価との差</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+13"/>
        <location line="+17"/>
        <source>evaluation</source>
        <translation>評価</translation>
    </message>
    <message>
        <location line="-30"/>
        <location line="+13"/>
        <source>score difference [95 % interval]</source>
        <translation>スコアの差 [95 % 区間]</translation>
    </message>
    <message>
        <location line="-12"/>
        <location line="+13"/>
        <source>paired bootstrap p</source>
        <translation>対応のあるブートストラップ p</translation>
    </message>
    <message>
        <location line="-13"/>
        <location line="+13"/>
        <source>McNemar exact p</source>
        <translation>McNemar 正確検定 p</translation>
    </message>
    <message>
        <location line="-13"/>
        <source>generations per answer (first / this)</source>
        <translation>回答あたりの生成回数（最初 / この評価）</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Differences by task family</source>
        <translation>タスク種別ごとの差</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>generations</source>
        <translation>生成回数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>prompt tokens</source>
        <translation>プロンプトのトークン</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>generated tokens</source>
        <translation>生成トークン</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>ms per answer</source>
        <translation>回答あたりのミリ秒</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Items</source>
        <translation>項目</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>item</source>
        <translation>項目</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>question</source>
        <translation>質問</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>reference</source>
        <translation>参照解答</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>trace</source>
        <translation>トレース</translation>
    </message>
    <message>
        <location filename="../../core/eval/src/EvalPlan.cpp" line="+67"/>
        <source>The batch must be at least 1.</source>
        <translation>バッチは 1 以上でなければなりません。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>There is no model %1 in the workspace.</source>
        <translation>ワークスペースにモデル %1 はありません。</translation>
    </message>
    <message>
        <location line="-45"/>
        <source>No prompts are registered (sdrt prompts register WS).</source>
        <translation>プロンプトが登録されていません（sdrt prompts register WS）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Two-step mode takes exactly one prompt version (%1 given).</source>
        <translation>2 段階モードはプロンプトの版をちょうど 1 つ取ります（%1 個指定）。</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>No items match the evaluation&apos;s split and filter.</source>
        <translation>評価の分割とフィルターに合う項目がありません。</translation>
    </message>
    <message>
        <location filename="../../core/eval/src/PredictionSink.cpp" line="+21"/>
        <source>An evaluation needs a name.</source>
        <translation>評価には名前が必要です。</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>%1 (and the evaluation could not be marked failed: %2)</source>
        <translation>%1（さらに評価を失敗として記録できませんでした: %2）</translation>
    </message>
    <message>
        <location filename="../../core/eval/src/EvalJob.cpp" line="+173"/>
        <source>There is no evaluation %1.</source>
        <translation>評価 %1 はありません。</translation>
    </message>
    <message>
        <location filename="../../core/eval/src/AnswerStrategy.cpp" line="+156"/>
        <source>no prompt gave an answer</source>
        <translation>どのプロンプトも回答しませんでした</translation>
    </message>
</context>
<context>
    <name>sdrt::prompts</name>
    <message>
        <location filename="../../core/prompts/src/Prompt.cpp" line="+66"/>
        <source>%1: a lone &apos;}&apos; (write &apos;}}&apos; for a literal brace).</source>
        <translation>%1: 単独の &apos;}&apos; があります（文字としての波括弧は &apos;}}&apos; と書きます）。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1: &apos;{&apos; is not closed on the same line (write &apos;{{&apos; for a literal brace).</source>
        <translation>%1: &apos;{&apos; が同じ行で閉じていません（文字としての波括弧は &apos;{{&apos; と書きます）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1: &apos;{&apos; does not start a placeholder (write &apos;{{&apos; for a literal brace).</source>
        <translation>%1: &apos;{&apos; がプレースホルダーになっていません（文字としての波括弧は &apos;{{&apos; と書きます）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: unknown placeholder {%2}; known placeholders are %3.</source>
        <translation>%1: 不明なプレースホルダー {%2}。使えるのは %3 です。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1: step 1 cannot use {query1_answer}; it is the output of step 1.</source>
        <translation>%1: ステップ 1 では {query1_answer} を使えません。これはステップ 1 の出力です。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>%1: &apos;answer: after&apos; needs a marker, e.g. &apos;answer: after Answer:&apos;.</source>
        <translation>%1: &apos;answer: after&apos; にはマーカーが必要です（例: &apos;answer: after Answer:&apos;）。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1: invalid answer regex: %2</source>
        <translation>%1: 回答の正規表現が不正です: %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1: unknown answer rule &apos;%2&apos;; use &apos;first-line&apos;, &apos;after MARKER&apos; or &apos;regex PATTERN&apos;.</source>
        <translation>%1: 不明な回答規則 &apos;%2&apos;。&apos;first-line&apos;、&apos;after MARKER&apos;、&apos;regex PATTERN&apos; のいずれかを使ってください。</translation>
    </message>
    <message>
        <location line="+107"/>
        <source>%1: unknown section [%2]; a prompt has exactly [step1] and [step2].</source>
        <translation>%1: 不明なセクション [%2]。プロンプトには [step1] と [step2] だけがあります。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1: section [%2] appears twice.</source>
        <translation>%1: セクション [%2] が 2 回あります。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: [step2] comes before [step1].</source>
        <translation>%1: [step2] が [step1] より前にあります。</translation>
    </message>
    <message>
        <location line="-37"/>
        <source>%1: expected &apos;key: value&apos; or a [step1]/[step2] section, found &apos;%2&apos;.</source>
        <translation>%1: &apos;キー: 値&apos; か [step1]/[step2] セクションが必要ですが、&apos;%2&apos; がありました。</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>%1: prompt name &apos;%2&apos; must be lower-case letters, digits, &apos;-&apos; or &apos;_&apos;.</source>
        <translation>%1: プロンプト名 &apos;%2&apos; は英小文字、数字、&apos;-&apos;、&apos;_&apos; だけで書いてください。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1: version must be a whole number from 1, found &apos;%2&apos;.</source>
        <translation>%1: version は 1 以上の整数です。&apos;%2&apos; がありました。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>%1: unknown key &apos;%2&apos;; known keys are name, version, description, answer, step1.prefix, step2.prefix.</source>
        <translation>%1: 不明なキー &apos;%2&apos;。使えるキーは name、version、description、answer、step1.prefix、step2.prefix です。</translation>
    </message>
    <message>
        <location line="-64"/>
        <source>%1: the prompt has no &apos;name:&apos;.</source>
        <translation>%1: プロンプトに &apos;name:&apos; がありません。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: the prompt has no &apos;version:&apos;.</source>
        <translation>%1: プロンプトに &apos;version:&apos; がありません。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: the prompt has no answer-extraction rule (&apos;answer:&apos;).</source>
        <translation>%1: プロンプトに回答抽出規則（&apos;answer:&apos;）がありません。</translation>
    </message>
    <message>
        <location line="+71"/>
        <source>%1: the prompt has no [step%2] section; every prompt has two steps.</source>
        <translation>%1: プロンプトに [step%2] セクションがありません。プロンプトは必ず 2 ステップです。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1: [step%2] is empty.</source>
        <translation>%1: [step%2] が空です。</translation>
    </message>
    <message>
        <location line="-76"/>
        <source>%1: [step2] must use {query1_answer}, the analysis from step 1.</source>
        <translation>%1: [step2] ではステップ 1 の分析 {query1_answer} を使う必要があります。</translation>
    </message>
    <message>
        <location line="+199"/>
        <source>Cannot read prompt file %1: %2</source>
        <translation>プロンプトファイル %1 を読めません: %2</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>%1: the file is not valid UTF-8.</source>
        <translation>%1: ファイルが正しい UTF-8 ではありません。</translation>
    </message>
    <message>
        <location filename="../../core/prompts/src/PromptLibrary.cpp" line="+19"/>
        <source>The prompt folder %1 does not exist.</source>
        <translation>プロンプトフォルダー %1 が存在しません。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The prompt folder %1 holds no .prompt files.</source>
        <translation>プロンプトフォルダー %1 に .prompt ファイルがありません。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>%1: duplicate prompt name &apos;%2&apos; (also in %3).</source>
        <translation>%1: プロンプト名 &apos;%2&apos; が重複しています（%3 にもあります）。</translation>
    </message>
    <message>
        <location filename="../../core/prompts/src/Prompt.cpp" line="-23"/>
        <source>%1: not a regular file; it was not read.</source>
        <translation>%1: 通常のファイルではないため、読み込みませんでした。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1: the file is %2 bytes, over the limit of %3 bytes for a prompt; it was not read.</source>
        <translation>%1: ファイルが %2 バイトで、プロンプトの上限 %3 バイトを超えているため、読み込みませんでした。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1: the file is over the limit of %2 bytes for a prompt.</source>
        <translation>%1: ファイルがプロンプトの上限 %2 バイトを超えています。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1: the file holds a NUL byte (at byte %2); a prompt is text.</source>
        <translation>%1: ファイルに NUL バイトがあります（%2 バイト目）。プロンプトはテキストです。</translation>
    </message>
    <message>
        <location filename="../../core/prompts/src/PromptLibrary.cpp" line="-17"/>
        <source>%1: a symbolic link to %2, which does not exist.</source>
        <translation>%1: 存在しない %2 へのシンボリックリンクです。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1: a symbolic link to %2, outside the prompt folder; it was not read.</source>
        <translation>%1: プロンプトフォルダーの外にある %2 へのシンボリックリンクのため、読み込みませんでした。</translation>
    </message>
</context>
<context>
    <name>sdrt::review</name>
    <message>
        <location filename="../../core/review/src/Export.cpp" line="+47"/>
        <source>Trace %1 is missing from the workspace.</source>
        <translation>トレース %1 がワークスペースにありません。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../core/review/src/Policy.cpp" line="+12"/>
        <source>at least %n accept(s)</source>
        <translation>
            <numerusform>承認 %n 件以上</numerusform>
        </translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 and no reject</source>
        <translation>%1、却下なし</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%1 and at most %n reject(s)</source>
        <translation>
            <numerusform>%1、却下 %n 件以下</numerusform>
        </translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The approval policy is not a JSON object: %1</source>
        <translation>承認ポリシーが JSON オブジェクトではありません: %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>An approval policy needs at least one accept (min_accepts is %1).</source>
        <translation>承認ポリシーには 1 件以上の承認が必要です（min_accepts が %1 です）。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Cannot read the approval policy &quot;%1&quot;: expected MIN_ACCEPTS,MAX_REJECTS such as 1,0 (MAX_REJECTS -1: rejects do not matter).</source>
        <translation>承認ポリシー &quot;%1&quot; を読めません: 1,0 のような MIN_ACCEPTS,MAX_REJECTS を指定してください（MAX_REJECTS -1: 却下数を問わない）。</translation>
    </message>
    <message>
        <location filename="../../core/review/src/ReviewHistory.cpp" line="+48"/>
        <source>Enter your reviewer name before reviewing.</source>
        <translation>レビューの前にレビュー担当者名を入力してください。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Trace %1 is not a completed trace of this workspace.</source>
        <translation>トレース %1 はこのワークスペースの完了したトレースではありません。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Accept</source>
        <translation>承認</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reject</source>
        <translation>却下</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Skip</source>
        <translation>保留</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear verdict</source>
        <translation>判定の取り消し</translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%1 %n trace(s)</source>
        <translation>
            <numerusform>%1 %n 件のトレース</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+20"/>
        <source>Accept %n trace(s) matching the reference</source>
        <translation>
            <numerusform>正解と一致する %n 件のトレースを承認</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../core/review/src/ReviewSession.cpp" line="+360"/>
        <source>An approval policy needs at least one accept.</source>
        <translation>承認ポリシーには 1 件以上の承認が必要です。</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>The list of reject reasons is empty.</source>
        <translation>却下理由の一覧が空です。</translation>
    </message>
</context>
<context>
    <name>sdrt::store</name>
    <message>
        <location filename="../../core/store/src/AssetRepository.cpp" line="+109"/>
        <source>There is no asset with id %1.</source>
        <translation>ID %1 のアセットはありません。</translation>
    </message>
    <message>
        <location filename="../../core/store/src/Database.cpp" line="+43"/>
        <source>SQLite error in %1: cannot bind parameter %2 of &quot;%3&quot;: %4</source>
        <translation>%1 の SQLite エラー: &quot;%3&quot; のパラメーター %2 をバインドできません: %4</translation>
    </message>
    <message>
        <location line="+93"/>
        <source>SQLite error in %1: the statement &quot;%2&quot; has no parameter %3</source>
        <translation>%1 の SQLite エラー: 文 &quot;%2&quot; にパラメーター %3 がありません</translation>
    </message>
    <message>
        <location line="+73"/>
        <source>Cannot open database %1: %2</source>
        <translation>データベース %1 を開けません: %2</translation>
    </message>
    <message>
        <location line="+44"/>
        <location line="+64"/>
        <source>SQLite error in %1: %2</source>
        <translation>%1 で SQLite エラー: %2</translation>
    </message>
    <message>
        <location line="-20"/>
        <source>waited %1 s</source>
        <translation>%1 秒待機</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The workspace database %1 is locked by another program (%2): %3</source>
        <translation>ワークスペースのデータベース %1 は別のプログラムがロックしています (%2): %3</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The workspace database %1 is locked by another program (%2); open in: %3</source>
        <translation>ワークスペースのデータベース %1 は別のプログラムがロックしています (%2)。使用中: %3</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The disk holding %1 is full (%2 KiB free): the change was not saved, and what was saved before is intact. Free some space and try again. (SQLite: %3)</source>
        <translation>%1 のあるディスクがいっぱいです (空き %2 KiB)。変更は保存されていませんが、それまでに保存した内容は無事です。空き容量を作ってからやり直してください。(SQLite: %3)</translation>
    </message>
    <message>
        <location filename="../../core/store/src/ItemRepository.cpp" line="+106"/>
        <source>There is no item with id %1.</source>
        <translation>ID %1 の項目はありません。</translation>
    </message>
    <message>
        <location filename="../../core/store/src/Migrations.cpp" line="+380"/>
        <source>%1 was written by a newer version of SDRT Workbench (schema %2; this version understands up to %3). It was not changed; please update SDRT Workbench.</source>
        <translation>%1 は新しい版の SDRT ワークベンチで書かれています（スキーマ %2。この版はスキーマ %3 まで対応）。変更はしていません。SDRT ワークベンチを更新してください。</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Migration to schema %1 failed: %2</source>
        <translation>スキーマ %1 への移行に失敗しました: %2</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Migration to schema %1 failed: a row of %2 refers to a missing row of %3.</source>
        <translation>スキーマ %1 への移行に失敗しました: %2 の行が存在しない %3 の行を参照しています。</translation>
    </message>
    <message>
        <location filename="../../core/store/src/PromptRepository.cpp" line="+29"/>
        <source>Prompt &quot;%1&quot; version %2 is already stored with different content (hash %3, now %4). Stored prompt versions are immutable: give the changed prompt a new version number.</source>
        <translation>プロンプト &quot;%1&quot; の版 %2 は別の内容で保存済みです（ハッシュ %3、現在 %4）。保存済みの版は変更できません。変更したプロンプトには新しい版番号を付けてください。</translation>
    </message>
    <message>
        <location filename="../../core/store/src/ModelRepository.cpp" line="+107"/>
        <source>%1 is not a model folder: it has no config.json.</source>
        <translation>%1 はモデルフォルダではありません: config.json がありません。</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+10"/>
        <location line="+44"/>
        <source>Cannot read %1: %2</source>
        <translation>%1 を読めません: %2</translation>
    </message>
    <message>
        <location line="-47"/>
        <source>Cancelled.</source>
        <translation>中止しました。</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>A model needs a name.</source>
        <translation>モデルには名前が必要です。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>%1 is not valid JSON: %2</source>
        <translation>%1 は正しい JSON ではありません: %2</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>%1 is already registered as model &quot;%2&quot; (id %3); a model has one name, so it was not registered again as &quot;%4&quot;.</source>
        <translation>%1 は既にモデル &quot;%2&quot; (ID %3) として登録されています。モデルの名前は 1 つなので、&quot;%4&quot; として再登録はしませんでした。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>A model named &quot;%1&quot; already exists (id %2, a %3 model at %4); a name names one model. Choose another name.</source>
        <translation>モデル &quot;%1&quot; は既にあります (ID %2、%4 の %3 モデル)。1 つの名前は 1 つのモデルを指します。別の名前を選んでください。</translation>
    </message>
    <message>
        <location line="+19"/>
        <location filename="../../core/store/src/ProcessLock.cpp" line="+128"/>
        <source>Cannot create the folder %1.</source>
        <translation>フォルダ %1 を作成できません。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cannot copy %1 to %2.</source>
        <translation>%1 を %2 にコピーできません。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Model &quot;%1&quot; cannot be checked against its registration: %2</source>
        <translation>モデル &quot;%1&quot; を登録内容と照合できません: %2</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>%1 added</source>
        <translation>%1 が追加されました</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: %2 bytes, modified %3 (registered: %4 bytes, modified %5)</source>
        <translation>%1: %2 バイト、更新 %3 (登録時: %4 バイト、更新 %5)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 removed</source>
        <translation>%1 が削除されました</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Model &quot;%1&quot; at %2 is not the model that was registered: its files changed (content hash %3 now, %4 when registered)%5. Traces must name the weights that made them, so it is not used. To use the folder as it is now, register it as a new model: sdrt model register WS %2 --name %1-2</source>
        <translation>%2 のモデル &quot;%1&quot; は登録されたモデルではありません: ファイルが変更されています (内容ハッシュは現在 %3、登録時 %4)%5。トレースはそれを生成した重みを示す必要があるため、使用しません。現在のフォルダーを使うには新しいモデルとして登録してください: sdrt model register WS %2 --name %1-2</translation>
    </message>
    <message>
        <location filename="../../core/store/src/ProcessLock.cpp" line="-96"/>
        <source>a program</source>
        <translation>あるプログラム</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 (pid %2</source>
        <translation>%1 (pid %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> on %1</source>
        <translation>、ホスト %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>, since %1</source>
        <translation>、%1 から</translation>
    </message>
    <message>
        <location line="+71"/>
        <source>The process (%1) is not running on this machine.</source>
        <translation>プロセス（%1）はこのマシンで実行されていません。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cannot signal process %1: %2</source>
        <translation>プロセス %1 にシグナルを送れません: %2</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Cannot create the lock file %1: %2</source>
        <translation>ロックファイル %1 を作成できません: %2</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 is held by %2.</source>
        <translation>%1 は %2 が保持しています。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cannot lock %1: %2</source>
        <translation>%1 をロックできません: %2</translation>
    </message>
    <message>
        <location filename="../../core/store/src/TraceRepository.cpp" line="+231"/>
        <source>Generation run %1 with the same model is already writing to %2 (%3, started %4). Two runs would do the same work: wait for it to finish or cancel it, then run again (completed traces are skipped).</source>
        <translation>同じモデルの生成実行 %1 が既に %2 に書き込んでいます (%3、開始 %4)。二つの実行は同じ作業をすることになります: 終了を待つかキャンセルしてから、もう一度実行してください (完了したトレースはスキップされます)。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>another process</source>
        <translation>別のプロセス</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>The process running it ended without finishing it (killed or crashed); a rerun with the same settings resumes it.</source>
        <translation>実行していたプロセスが完了せずに終了しました (強制終了またはクラッシュ)。同じ設定で再実行すると再開します。</translation>
    </message>
    <message>
        <location filename="../../core/store/src/DistillRepository.cpp" line="+72"/>
        <source>A distillation run named &quot;%1&quot; already exists (run %2, %3). Choose another name, or resume it with --resume %1.</source>
        <translation>蒸留実行「%1」は既にあります（実行 %2、%3）。別の名前にするか、--resume %1 で再開してください。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>There is no distillation run %1.</source>
        <translation>蒸留実行 %1 はありません。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Distillation run &quot;%1&quot; is done; there is nothing to resume.</source>
        <translation>蒸留実行「%1」は完了しています。再開するものはありません。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Distillation run &quot;%1&quot; is still running: %2</source>
        <translation>蒸留実行「%1」はまだ実行中です: %2</translation>
    </message>
    <message>
        <location filename="../../core/store/src/EvaluationRepository.cpp" line="+94"/>
        <source>An evaluation named &quot;%1&quot; already exists (%2). Choose another name, or resume it with --resume %1.</source>
        <translation>評価「%1」は既にあります（%2）。別の名前にするか、--resume %1 で再開してください。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>There is no evaluation %1.</source>
        <translation>評価 %1 はありません。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Evaluation &quot;%1&quot; is done; there is nothing to resume.</source>
        <translation>評価「%1」は完了しています。再開するものはありません。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Evaluation &quot;%1&quot; is still running: %2</source>
        <translation>評価「%1」はまだ実行中です: %2</translation>
    </message>
    <message>
        <location filename="../../core/store/src/OutputFile.cpp" line="+39"/>
        <source>%1 is not a regular file (a device, pipe, socket or a link to nothing); only regular files are written.</source>
        <translation>%1 は通常のファイルではありません (デバイス、パイプ、ソケット、またはリンク先のないリンク)。書き込むのは通常のファイルだけです。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 is a folder; give a file name.</source>
        <translation>%1 はフォルダーです。ファイル名を指定してください。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cannot write %1: the folder %2 does not exist.</source>
        <translation>%1 に書き込めません: フォルダー %2 がありません。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 already exists; it is replaced only when asked (--force, or confirm in the workbench).</source>
        <translation>%1 は既にあります。指示があるときだけ置き換えます (--force、またはワークベンチで確認)。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cannot write %1: the disk is full (%2). Nothing was replaced; free some space and try again.</source>
        <translation>%1 を書き込めません: ディスクがいっぱいです (%2)。何も置き換えていません。空き容量を作ってからやり直してください。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cannot write %1: %2. Nothing was replaced.</source>
        <translation>%1 を書き込めません: %2。何も置き換えていません。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>No export file given.</source>
        <translation>エクスポート先のファイルが指定されていません。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>%1 is part of the workspace %2 (%3); an export never writes there. Choose a file under %4 or outside the workspace.</source>
        <translation>%1 はワークスペース %2 の一部です (%3)。エクスポートはそこへ書き込みません。%4 の下かワークスペースの外のファイルを選んでください。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>its database</source>
        <translation>データベース</translation>
    </message>
    <message>
        <location filename="../../core/store/src/RunLife.h" line="+60"/>
        <source>Run %1 is not running.</source>
        <translation>実行 %1 は実行中ではありません。</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>its process still runs (%1), although its lock file %2 was removed.</source>
        <translation>ロックファイル %2 は削除されていますが、そのプロセスはまだ動いています (%1)。</translation>
    </message>
</context>
<context>
    <name>sdrt::store::Workspace</name>
    <message>
        <location filename="../../core/store/src/Workspace.cpp" line="+67"/>
        <source>%1 already holds a workspace.</source>
        <translation>%1 にはすでにワークスペースがあります。</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+3"/>
        <source>Cannot create the folder %1.</source>
        <translation>フォルダー %1 を作成できません。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>%1 is not a workspace: %2 there is %3, not a database file.</source>
        <translation>%1 はワークスペースではありません: そこにある %2 は%3で、データベースファイルではありません。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>a folder</source>
        <translation>フォルダー</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a device, pipe or socket</source>
        <translation>デバイス、パイプまたはソケット</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 is not a workspace: %2 is missing.</source>
        <translation>%1 はワークスペースではありません: %2 がありません。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is empty (0 bytes): it is not a workspace database, and it is not made into a new, empty one. Restore it from a backup, or create a workspace in another folder with sdrt init.</source>
        <translation>%1 は空 (0 バイト) です。ワークスペースのデータベースではなく、新しい空のデータベースにもしません。バックアップから復元するか、sdrt init で別のフォルダーにワークスペースを作成してください。</translation>
    </message>
</context>
<context>
    <name>sdrt::teacher</name>
    <message>
        <location filename="../../core/teacher/src/TwoStepRunner.cpp" line="+42"/>
        <source>asset %1 (%2): %3</source>
        <translation>素材 %1（%2）: %3</translation>
    </message>
    <message>
        <location line="+102"/>
        <source>step %1: %2</source>
        <translation>ステップ %1: %2</translation>
    </message>
    <message>
        <location filename="../../core/teacher/src/GenerationPlan.cpp" line="+23"/>
        <source>Stored prompt %1 v%2 does not parse: %3</source>
        <translation>保存済みプロンプト %1 v%2 を解析できません: %3</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No prompt version with id %1 in the workspace.</source>
        <translation>ワークスペースに ID %1 のプロンプト版がありません。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The workspace has no prompts registered (sdrt prompts register WS).</source>
        <translation>ワークスペースにプロンプトが登録されていません（sdrt prompts register WS）。</translation>
    </message>
    <message>
        <location filename="../../core/teacher/src/GenerationJob.cpp" line="+35"/>
        <source>Samples and batch size must be at least 1.</source>
        <translation>サンプル数とバッチサイズは 1 以上にしてください。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 samples per prompt need a temperature above 0 (greedy decoding gives the same trace every time).</source>
        <translation>プロンプトごとに %1 サンプルを取るには温度を 0 より大きくしてください（貪欲法では毎回同じトレースになります）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Bad shard %1/%2.</source>
        <translation>不正なシャード %1/%2。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Bad sampling settings: %1.</source>
        <translation>サンプリング設定が不正です: %1。</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>No model with id %1 in the workspace (sdrt model register).</source>
        <translation>ワークスペースに ID %1 のモデルがありません（sdrt model register）。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>No items match.</source>
        <translation>一致する項目がありません。</translation>
    </message>
    <message>
        <location line="+127"/>
        <source>item %1 (%2), prompt %3 v%4: %5</source>
        <translation>項目 %1（%2）、プロンプト %3 v%4: %5</translation>
    </message>
    <message>
        <location filename="../../core/teacher/src/Models.cpp" line="+16"/>
        <source>Not registered: %1</source>
        <translation>登録しませんでした: %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Model &quot;%1&quot; is a student (a base model with an adapter); load it with distill::loadRegisteredModel.</source>
        <translation>モデル「%1」は生徒モデル（アダプター付きのベースモデル）です。distill::loadRegisteredModel で読み込んでください。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Cannot load model &quot;%1&quot; from %2: %3</source>
        <translation>モデル「%1」を %2 から読み込めません: %3</translation>
    </message>
    <message>
        <location filename="../../core/teacher/src/GenerationJob.cpp" line="-97"/>
        <source>Hidden-state layer %1 is outside 0..%2 of model &quot;%3&quot;.</source>
        <translation>隠れ状態の層 %1 はモデル「%3」の範囲 0..%2 の外です。</translation>
    </message>
    <message>
        <location filename="../../core/teacher/src/TraceSink.cpp" line="+154"/>
        <source>Cannot create the folder %1.</source>
        <translation>フォルダ %1 を作成できません。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cannot write hidden states: %1</source>
        <translation>隠れ状態を書き込めません: %1</translation>
    </message>
    <message>
        <location filename="../../core/teacher/src/GenerationJob.cpp" line="+225"/>
        <source>No trace with id %1.</source>
        <translation>ID %1 のトレースはありません。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The run of trace %1 is missing.</source>
        <translation>トレース %1 の実行記録がありません。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The model of trace %1 is missing.</source>
        <translation>トレース %1 のモデルがありません。</translation>
    </message>
    <message>
        <location filename="../../core/teacher/src/ShardMerge.cpp" line="+20"/>
        <source>%1 is not a shard folder (no workspace.sqlite).</source>
        <translation>%1 はシャードフォルダではありません（workspace.sqlite がありません）。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 is the workspace itself, not a shard folder.</source>
        <translation>%1 はワークスペースそのもので、シャードフォルダーではありません。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Run %1 of the shard %2 is still running (%3); merge the shard when it has finished.</source>
        <translation>シャード %2 の実行 %1 はまだ実行中です (%3)。終了してからマージしてください。</translation>
    </message>
    <message>
        <location filename="../../core/teacher/src/TraceSink.cpp" line="-36"/>
        <source>Item &quot;%1&quot; of the shard is not in the workspace %2 (fingerprint %3); merge a shard into the workspace it was made from.</source>
        <translation>シャードの項目「%1」はワークスペース %2 にありません（指紋 %3）。シャードは作成元のワークスペースに統合してください。</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>Cannot copy %1 to %2.</source>
        <translation>%1 を %2 にコピーできません。</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::AgreementDialog</name>
    <message>
        <location filename="../../ui/src/AgreementDialog.cpp" line="+15"/>
        <source>Cohen&apos;s kappa</source>
        <translation>Cohen のカッパ</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Fleiss&apos; kappa</source>
        <translation>Fleiss のカッパ</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Agreement between reviewers</source>
        <translation>レビュー担当者間の一致度</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Agreement needs verdicts from at least two reviewers.</source>
        <translation>一致度には 2 人以上のレビュー担当者の判定が必要です。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reviewers: %1. Traces count when every reviewer accepted or rejected them.</source>
        <translation>レビュー担当者: %1。全員が承認または却下したトレースを数えます。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Prompt</source>
        <translation>プロンプト</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Traces</source>
        <translation>トレース数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Observed agreement</source>
        <translation>観測一致率</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Kappa</source>
        <translation>カッパ</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>All prompts</source>
        <translation>すべてのプロンプト</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>undefined: no trace has a verdict from every reviewer</source>
        <translation>未定義：全レビュー担当者の判定がそろったトレースがありません</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>undefined: every verdict is the same, so chance agreement is 1</source>
        <translation>未定義：判定がすべて同じで、偶然の一致率が 1 になります</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::ApprovalPolicyDialog</name>
    <message>
        <location filename="../../ui/src/ApprovalPolicyDialog.cpp" line="+14"/>
        <source>Approval policy</source>
        <translation>承認ポリシー</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>any number</source>
        <translation>件数を問わない</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A trace is approved when enough reviewers accept it and few enough reject it. Each reviewer&apos;s current verdict counts; skips count for neither.</source>
        <translation>十分な数のレビュー担当者が承認し、却下が少なければトレースは承認済みになります。各担当者の現在の判定を数え、保留はどちらにも数えません。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>At least this many accepts:</source>
        <translation>必要な承認数（以上）:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>At most this many rejects:</source>
        <translation>許容する却下数（以下）:</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::AssetPane</name>
    <message>
        <location filename="../../ui/src/AssetViewer.cpp" line="+97"/>
        <source>Fit</source>
        <translation>全体表示</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>1:1</source>
        <translation>1:1</translation>
    </message>
    <message>
        <location line="-66"/>
        <source>Zoom in</source>
        <translation>拡大</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom out</source>
        <translation>縮小</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fit the image to the view</source>
        <translation>画像を表示領域に合わせる</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Actual size</source>
        <translation>実寸</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next photo, drawing or page</source>
        <translation>次の写真・図面・ページ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Previous photo, drawing or page</source>
        <translation>前の写真・図面・ページ</translation>
    </message>
    <message>
        <location line="+72"/>
        <location line="+18"/>
        <source>No image for this item.</source>
        <translation>この項目には画像がありません。</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>%1 p.%2</source>
        <translation>%1 %2ページ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Drawing: %1</source>
        <translation>図面: %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Photo: %1</source>
        <translation>写真: %1</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Cannot show this asset: %1</source>
        <translation>このアセットを表示できません: %1</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>%1 × %2 px · %3</source>
        <translation>%1 × %2 px · %3</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::ChildRun</name>
    <message>
        <location filename="../../ui/src/ChildRun.cpp" line="+42"/>
        <source>A run is still going.</source>
        <translation>実行はまだ続いています。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Cannot start %1: %2</source>
        <translation>%1 を起動できません: %2</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::ComparePanel</name>
    <message>
        <location filename="../../ui/src/ComparePanel.cpp" line="+53"/>
        <source>&amp;Compare</source>
        <translation>比較(&amp;C)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Send to Re&amp;view</source>
        <translation>レビューに送る(&amp;V)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Export &amp;HTML…</source>
        <translation>HTML を書き出し(&amp;H)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export C&amp;SV…</source>
        <translation>CSV を書き出し(&amp;S)…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Check two or more evaluations; the first checked is the reference the others are compared with</source>
        <translation>2 つ以上の評価にチェックを付けます。最初にチェックした評価が比較の基準になります</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Compare the checked evaluations on their common items (Ctrl+Return)</source>
        <translation>チェックした評価を共通の項目で比較します（Ctrl+Return）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Put the selected items (or every shown item) in the review queue&apos;s &quot;From …&quot; filter</source>
        <translation>選択した項目（選択がなければ表示中のすべての項目）をレビューキューの「…から」フィルターに入れます</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All items</source>
        <translation>すべての項目</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Improvements</source>
        <translation>改善</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Regressions</source>
        <translation>悪化</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Disagreements</source>
        <translation>不一致</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Evaluations:</source>
        <translation>評価:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Metric:</source>
        <translation>指標(&amp;M):</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>&amp;Table</source>
        <translation>表(&amp;T)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>C&amp;hart</source>
        <translation>グラフ(&amp;H)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Sho&amp;w:</source>
        <translation>表示(&amp;W):</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Evaluations</source>
        <translation>評価</translation>
    </message>
    <message>
        <location line="+25"/>
        <location line="+5"/>
        <source>Compare</source>
        <translation>比較</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>Check at least two evaluations.</source>
        <translation>2 つ以上の評価にチェックを付けてください。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>A comparison is being computed; wait for it to finish.</source>
        <translation>比較を計算中です。終わるまでお待ちください。</translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>Comparing %n evaluation(s)…</source>
        <translation>
            <numerusform>%n 件の評価を比較しています…</numerusform>
        </translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Cannot compare</source>
        <translation>比較できません</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>score (each item by its own metric)</source>
        <translation>スコア（各項目をその項目の指標で）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>All task families</source>
        <translation>すべてのタスク種別</translation>
    </message>
    <message numerus="yes">
        <location line="-21"/>
        <source>Compared %n evaluation(s) on %1 common item(s)</source>
        <translation>
            <numerusform>%n 件の評価を共通の %1 項目で比較しました</numerusform>
        </translation>
    </message>
    <message>
        <location line="+42"/>
        <source>all</source>
        <translation>全体</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>mean absolute error × 100</source>
        <translation>平均絶対誤差 × 100</translation>
    </message>
    <message>
        <location line="+78"/>
        <source>(failed)</source>
        <translation>（失敗）</translation>
    </message>
    <message numerus="yes">
        <location line="-22"/>
        <source>%1 of %n common item(s) shown</source>
        <translation>
            <numerusform>共通の %n 項目のうち %1 項目を表示</numerusform>
        </translation>
    </message>
    <message>
        <location line="-26"/>
        <source>%1 95 % interval</source>
        <translation>%1 の 95 % 区間</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>&lt;p&gt;&lt;b&gt;Item %1&lt;/b&gt; · %2&lt;br&gt;%3&lt;br&gt;Reference: &lt;b&gt;%4&lt;/b&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;項目 %1&lt;/b&gt; · %2&lt;br&gt;%3&lt;br&gt;正解: &lt;b&gt;%4&lt;/b&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&lt;p&gt;Note: %1&lt;/p&gt;</source>
        <translation>&lt;p&gt;メモ: %1&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&lt;p&gt;&lt;i&gt;%1&lt;/i&gt;: %2&lt;br&gt;→ %3&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;i&gt;%1&lt;/i&gt;: %2&lt;br&gt;→ %3&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+23"/>
        <location line="+5"/>
        <source>Send to Review</source>
        <translation>レビューに送る</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>No items are shown.</source>
        <translation>表示中の項目がありません。</translation>
    </message>
    <message numerus="yes">
        <location line="+16"/>
        <source>%n item(s) sent to review; %1 of them have no teacher traces yet: generate traces for them (Generate panel, their split) to review them.</source>
        <translation>
            <numerusform>%n 項目をレビューに送りました。そのうち %1 項目にはまだ教師トレースがありません: レビューするには、それらのトレースを生成してください（生成パネル、その項目の分割）。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%n item(s) sent to review (%1 new)</source>
        <translation>
            <numerusform>%n 項目をレビューに送りました（新規 %1）</numerusform>
        </translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Export failed</source>
        <translation>書き出しに失敗しました</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Wrote %1</source>
        <translation>%1 を書き出しました</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Export</source>
        <translation>書き出し</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Compare two or more evaluations first.</source>
        <translation>先に 2 つ以上の評価を比較してください。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Export Comparison (HTML)</source>
        <translation>比較の書き出し（HTML）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Export Comparison (CSV)</source>
        <translation>比較の書き出し（CSV）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>HTML (*.html)</source>
        <translation>HTML (*.html)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::ComparisonController</name>
    <message>
        <location filename="../../ui/src/ComparisonController.cpp" line="+53"/>
        <source>Nothing is compared.</source>
        <translation>比較されているものがありません。</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::DistillController</name>
    <message numerus="yes">
        <location filename="../../ui/src/DistillController.cpp" line="+66"/>
        <source>%n approved trace(s) under %1; the run uses those of train items made by the base model.</source>
        <translation>
            <numerusform>%1 のもとで承認済みトレースは %n 件です。実行では、そのうちベースモデルが作った学習分割の項目のトレースを使います。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Distillation runs</source>
        <translation>蒸留の実行</translation>
    </message>
    <message>
        <location line="+26"/>
        <location line="+16"/>
        <source>Open a workspace first.</source>
        <translation>先にワークスペースを開いてください。</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+18"/>
        <source>There is no run &quot;%1&quot;.</source>
        <translation>実行「%1」はありません。</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::DistillCurves</name>
    <message>
        <location filename="../../ui/src/DistillCurves.cpp" line="+29"/>
        <source>cross-entropy</source>
        <translation>交差エントロピー</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>hidden-state</source>
        <translation>隠れ状態</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>ensemble entropy</source>
        <translation>アンサンブルのエントロピー</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>total loss</source>
        <translation>損失の合計</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+7"/>
        <source>learning rate</source>
        <translation>学習率</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>step</source>
        <translation>ステップ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>loss</source>
        <translation>損失</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>The ensemble entropy hardly moves while the weights stay near equal: it changes with the square of their spread. The weights&apos; range says more.</source>
        <translation>重みがほぼ等しい間、アンサンブルのエントロピーはほとんど動きません（重みのばらつきの二乗でしか変わらないため）。重みの範囲のほうが多くを語ります。</translation>
    </message>
    <message numerus="yes">
        <location line="+84"/>
        <source>Prompt ensemble weights at step %1: %2 to %3 over %n prompt(s) (equal: %4; entropy %5 of ln %n = %6).</source>
        <translation>
            <numerusform>ステップ %1 のプロンプトアンサンブルの重み: %n 個のプロンプトで %2 ～ %3（均等なら %4、エントロピー %5／ln %n = %6）。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sdrt::ui::DistillForm</name>
    <message>
        <location filename="../../ui/src/DistillForm.cpp" line="+68"/>
        <source>Run</source>
        <translation>実行</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>distill-&lt;UTC time&gt;</source>
        <translation>distill-&lt;UTC 時刻&gt;</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The run&apos;s name, also the student model&apos;s name</source>
        <translation>実行の名前（生徒モデルの名前にもなります）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Local data-parallel processes (the batch is split between them)</source>
        <translation>ローカルのデータ並列プロセス数（バッチをプロセス間で分けます）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Name:</source>
        <translation>名前(&amp;N):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Base model:</source>
        <translation>ベースモデル(&amp;B):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Processes:</source>
        <translation>プロセス数(&amp;P):</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Approved traces</source>
        <translation>承認済みトレース</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The workspace&apos;s approval policy</source>
        <translation>ワークスペースの承認ポリシー</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>any</source>
        <translation>任意</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>all</source>
        <translation>全体</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Min. accepts:</source>
        <translation>最小承認数:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Max. rejects:</source>
        <translation>最大却下数:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Max. traces:</source>
        <translation>最大トレース数:</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Modules</source>
        <translation>モジュール</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Intervention adapter (LoReFT)</source>
        <translation>介入アダプター（LoReFT）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>the middle layer</source>
        <translation>中央の層</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Decoder layers the adapter edits, comma separated (Hugging Face numbering)</source>
        <translation>アダプターが編集するデコーダー層（カンマ区切り、Hugging Face の番号）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Vision-language skip</source>
        <translation>視覚・言語スキップ</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ensemble weights over prompt versions</source>
        <translation>プロンプト版ごとのアンサンブル重み</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Weights depend on the item</source>
        <translation>重みを項目ごとに変える</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Layers:</source>
        <translation>層:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rank:</source>
        <translation>ランク:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Positions:</source>
        <translation>位置数:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Skip rank:</source>
        <translation>スキップのランク:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Entropy bonus ε:</source>
        <translation>エントロピー項 ε:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Loss</source>
        <translation>損失</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cross-entropy on the approved answers</source>
        <translation>承認済み回答の交差エントロピー</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Weight λ of the hidden-state term; 0 turns it off</source>
        <translation>隠れ状態の項の重み λ。0 で無効</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Mean squared error</source>
        <translation>平均二乗誤差</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>1 − cosine</source>
        <translation>1 − コサイン</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>every stored layer</source>
        <translation>保存済みのすべての層</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Hidden-state λ:</source>
        <translation>隠れ状態の λ:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hidden-state loss:</source>
        <translation>隠れ状態の損失:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hidden-state layers:</source>
        <translation>隠れ状態の層:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Optimisation</source>
        <translation>最適化</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>off</source>
        <translation>オフ</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>S&amp;teps:</source>
        <translation>ステップ数(&amp;T):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Batch (traces per step):</source>
        <translation>バッチ（ステップあたりのトレース数）:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Learning rate:</source>
        <translation>学習率:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Warm-up steps:</source>
        <translation>ウォームアップのステップ数:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weight decay:</source>
        <translation>重み減衰:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Gradient clip:</source>
        <translation>勾配クリップ:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checkpoint every:</source>
        <translation>チェックポイントの間隔:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seed:</source>
        <translation>シード:</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Layers: &quot;%1&quot; is not a comma-separated list of layer numbers.</source>
        <translation>層: 「%1」は層番号のカンマ区切りリストではありません。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Hidden-state layers: &quot;%1&quot; is not a comma-separated list of layer numbers.</source>
        <translation>隠れ状態の層: 「%1」は層番号のカンマ区切りリストではありません。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Turn on at least one module (adapter, skip or ensemble weights): otherwise nothing is trained.</source>
        <translation>少なくとも 1 つのモジュール（アダプター、スキップ、アンサンブル重み）を有効にしてください。そうしないと何も学習されません。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Turn on the cross-entropy term or give the hidden-state term a weight above 0: otherwise there is no loss.</source>
        <translation>交差エントロピー項を有効にするか、隠れ状態の項に 0 より大きい重みを与えてください。そうしないと損失がありません。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The batch (%1) must split evenly over %2 processes.</source>
        <translation>バッチ（%1）は %2 プロセスで割り切れる必要があります。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Choose a base model (register one with sdrt model register).</source>
        <translation>ベースモデルを選んでください（sdrt model register で登録します）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The run name &quot;%1&quot; may not contain / or \ or start with a dot.</source>
        <translation>実行名「%1」には / や \ を含めたり、ドットで始めたりできません。</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::DistillPanel</name>
    <message>
        <location filename="../../ui/src/DistillPanel.cpp" line="+80"/>
        <source>&amp;Start</source>
        <translation>開始(&amp;S)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Start a distillation run with these settings (Ctrl+Return)</source>
        <translation>この設定で蒸留を開始します（Ctrl+Return）</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+159"/>
        <source>Cancel Run</source>
        <translation>実行を中止</translation>
    </message>
    <message>
        <location line="-157"/>
        <source>Stop the run after its current step; it can be resumed (Ctrl+.)</source>
        <translation>現在のステップの後で実行を止めます。再開できます（Ctrl+.）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Res&amp;ume</source>
        <translation>再開(&amp;U)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Resume the selected cancelled, failed or interrupted run from its last checkpoint</source>
        <translation>選択した中止・失敗・中断の実行を最後のチェックポイントから再開します</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open Its Traces in Review</source>
        <translation>そのトレースをレビューで開く</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>Open a workspace first.</source>
        <translation>先にワークスペースを開いてください。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>There is already a run &quot;%1&quot;: choose another name, or select it and Resume.</source>
        <translation>実行「%1」はすでにあります: 別の名前にするか、その実行を選んで再開してください。</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Distillation</source>
        <translation>蒸留</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>A run is going; cancel it or wait for it to end.</source>
        <translation>実行中です。中止するか、終わるまでお待ちください。</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+7"/>
        <source>Cannot start the run</source>
        <translation>実行を開始できません</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Run %1: starting (loading the base model and the approved traces)…</source>
        <translation>実行 %1: 開始中（ベースモデルと承認済みトレースを読み込み中）…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Distillation run %1 started</source>
        <translation>蒸留の実行 %1 を開始しました</translation>
    </message>
    <message>
        <location line="+15"/>
        <location line="+4"/>
        <source>Cannot resume</source>
        <translation>再開できません</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>Run %1 is %2: only a cancelled, failed or interrupted run can be resumed.</source>
        <translation>実行 %1 は%2です: 再開できるのは中止・失敗・中断した実行だけです。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Run %1: resuming from its last checkpoint…</source>
        <translation>実行 %1: 最後のチェックポイントから再開中…</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Run %1: cancelling after the current step…</source>
        <translation>実行 %1: 現在のステップの後で中止します…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Run %1: step %2 of %3 · %4 samples/s · ETA %5</source>
        <translation>実行 %1: ステップ %2 / %3 · %4 サンプル/秒 · 残り %5</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Run %1 done: %2 steps in %3; student model registered.</source>
        <translation>実行 %1 完了: %2 ステップ、%3。生徒モデルを登録しました。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run %1 cancelled at step %2; Resume continues it.</source>
        <translation>実行 %1 をステップ %2 で中止しました。再開で続けられます。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Run %1 ended without finishing: %2 (the log panel has its messages).</source>
        <translation>実行 %1 は完了せずに終わりました: %2（メッセージはログパネルにあります）。</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>the process exited</source>
        <translation>プロセスが終了しました</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Distillation run %1</source>
        <translation>蒸留の実行 %1</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Run %1</source>
        <translation>実行 %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+2"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>run %1: %2</source>
        <translation>実行 %1: %2</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>Lineage of %1: %n trace(s).
Prompt versions — %2
Accepted by — %3
Teacher runs — %4</source>
        <translation>
            <numerusform>%1 の系譜: トレース %n 件。
プロンプト版 — %2
承認者 — %3
教師の実行 — %4</numerusform>
        </translation>
    </message>
    <message>
        <location line="-9"/>
        <source>Run %1 (starting)</source>
        <translation>実行 %1（開始中）</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Lineage</source>
        <translation>系譜</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::DistillRunsModel</name>
    <message>
        <location filename="../../ui/src/DistillRunsModel.cpp" line="+68"/>
        <source>%1 of %2</source>
        <translation>%2 中 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>batch %1</source>
        <translation>バッチ %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>lr %1</source>
        <translation>lr %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>rank %1</source>
        <translation>ランク %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>λ %1</source>
        <translation>λ %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>no %1</source>
        <translation>%1 なし</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Run</source>
        <translation>実行</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Base</source>
        <translation>ベース</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Steps</source>
        <translation>ステップ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Losses (last step)</source>
        <translation>損失（直近のステップ）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Duration</source>
        <translation>所要時間</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::EvaluatePanel</name>
    <message>
        <location filename="../../ui/src/EvaluatePanel.cpp" line="+30"/>
        <source>&amp;Queue Evaluations</source>
        <translation>評価をキューに追加(&amp;Q)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel Evaluations</source>
        <translation>評価を中止</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Models to evaluate: base models answer as they are, students through their adapters</source>
        <translation>評価するモデル: ベースモデルはそのまま、生徒はアダプターを通して回答します</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Direct: one answer. Two-step: one prompt version, analysis then answer. Ensemble: every prompt two-step, then a vote.</source>
        <translation>直接: 1 回の回答。2 段階: 1 つのプロンプト版で分析してから回答。アンサンブル: すべてのプロンプトを 2 段階で実行して投票。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Eval</source>
        <translation>評価</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Train</source>
        <translation>学習</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>all</source>
        <translation>すべて</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>At most this many items (the first in id order); all: the whole split</source>
        <translation>最大この数の項目（ID 順の先頭から）。すべて: 分割全体</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>One evaluation per checked model and mode, run one after another (Ctrl+Return)</source>
        <translation>チェックしたモデルとモードごとに 1 つの評価を、順番に実行します（Ctrl+Return）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>model-mode-&lt;time&gt;</source>
        <translation>モデル-モード-&lt;時刻&gt;</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The evaluation&apos;s name; with several models or modes each gets this name, the model and the mode</source>
        <translation>評価の名前。複数のモデルやモードでは、それぞれこの名前・モデル・モードを組み合わせた名前になります</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>&amp;Models:</source>
        <translation>モデル(&amp;M):</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>M&amp;odes:</source>
        <translation>モード(&amp;O):</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Split:</source>
        <translation>分割(&amp;S):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Limit:</source>
        <translation>上限(&amp;L):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Batch:</source>
        <translation>バッチ(&amp;B):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Name:</source>
        <translation>名前(&amp;N):</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Queue and this session&apos;s evaluations:</source>
        <translation>キューとこのセッションの評価:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Evaluations in this workspace:</source>
        <translation>このワークスペースの評価：</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>%1 (student)</source>
        <translation>%1（生徒）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Direct answer</source>
        <translation>直接回答</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Two-step ensemble of every prompt (majority vote)</source>
        <translation>全プロンプトの 2 段階アンサンブル（多数決）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Two-step ensemble of every prompt (log-probability vote)</source>
        <translation>全プロンプトの 2 段階アンサンブル（対数確率による投票）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Two-step with prompt %1</source>
        <translation>プロンプト %1 で 2 段階</translation>
    </message>
    <message>
        <location line="+22"/>
        <location line="+10"/>
        <location line="+11"/>
        <location line="+8"/>
        <source>Evaluate</source>
        <translation>評価</translation>
    </message>
    <message>
        <location line="-19"/>
        <source>Open a workspace first.</source>
        <translation>先にワークスペースを開いてください。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Check at least one model and one mode.</source>
        <translation>少なくとも 1 つのモデルと 1 つのモードにチェックを付けてください。</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::EvaluationQueue</name>
    <message>
        <location filename="../../ui/src/EvaluationQueue.cpp" line="+65"/>
        <source>An evaluation named &quot;%1&quot; already exists or is queued. Choose another name.</source>
        <translation>評価「%1」は既に存在するか、キューにあります。別の名前を選んでください。</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>%1: could not start (%2)</source>
        <translation>%1: 起動できませんでした（%2）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Evaluation %1: loading the model…</source>
        <translation>評価 %1: モデルを読み込み中…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Evaluation %1: cancelling after the current batch…</source>
        <translation>評価 %1: 現在のバッチの後で中止します…</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>%1: running</source>
        <translation>%1: 実行中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: queued</source>
        <translation>%1: 待機中</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Evaluation %1: %2 of %3 items, %4 failed · ETA %5</source>
        <translation>評価 %1: %3 項目中 %2 項目、失敗 %4 · 残り %5</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>%1: done, %2 items in %3</source>
        <translation>%1: 完了、%2 項目、%3</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1: cancelled (sdrt eval --resume %1 continues it)</source>
        <translation>%1: 中止（sdrt eval --resume %1 で続けられます）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the process exited; the log panel has its messages</source>
        <translation>プロセスが終了しました。メッセージはログパネルにあります</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: failed — %2</source>
        <translation>%1: 失敗 — %2</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Evaluation %1</source>
        <translation>評価 %1</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::GeneratePanel</name>
    <message>
        <location filename="../../ui/src/GeneratePanel.cpp" line="+30"/>
        <source>Only the selected item</source>
        <translation>選択中の項目だけ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Store hidden states for distillation</source>
        <translation>蒸留用に隠れ状態を保存する</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Run</source>
        <translation>実行(&amp;R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>中止</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Train and eval</source>
        <translation>学習と評価</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Train</source>
        <translation>学習</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Eval</source>
        <translation>評価</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>0 is greedy decoding; several samples per prompt need a temperature above 0.</source>
        <translation>0 は貪欲法です。プロンプトごとに複数サンプルを取るには 0 より大きい温度が必要です。</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Model:</source>
        <translation>モデル:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Prompts:</source>
        <translation>プロンプト:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Split:</source>
        <translation>分割:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Task family:</source>
        <translation>タスク種別:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Samples per prompt:</source>
        <translation>プロンプトごとのサンプル数:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Temperature:</source>
        <translation>温度:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Batch size:</source>
        <translation>バッチサイズ:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Analysis tokens:</source>
        <translation>分析トークン数:</translation>
    </message>
    <message>
        <location line="-31"/>
        <source>%1 of %2 traces, %3 failed · %4 traces/min · ETA %5</source>
        <translation>%2 件中 %1 件のトレース、失敗 %3 件 · 毎分 %4 トレース · 残り %5</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>All families</source>
        <translation>すべての種別</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>student</source>
        <translation>生徒</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>base</source>
        <translation>ベース</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cannot read the models: %1</source>
        <translation>モデルを読み込めません: %1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Cannot read the prompts: %1</source>
        <translation>プロンプトを読み込めません: %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cannot read the task families: %1</source>
        <translation>タスクの種類を読み込めません: %1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>No model registered in this workspace: sdrt model register WS DIR.</source>
        <translation>このワークスペースにはモデルが登録されていません: sdrt model register WS DIR。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No prompts registered in this workspace: sdrt prompts register WS.</source>
        <translation>このワークスペースにはプロンプトが登録されていません: sdrt prompts register WS。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Cannot read the runs: %1</source>
        <translation>実行を読み込めません: %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>pending</source>
        <translation>待機中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>running</source>
        <translation>実行中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>done</source>
        <translation>完了</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cancelled</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>interrupted (its process ended without finishing; Run with the same settings resumes it)</source>
        <translation>中断 (プロセスが完了せずに終了しました。同じ設定で「実行」すると再開します)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Run %1: %2 · %3 ok, %4 failed · started %5</source>
        <translation>実行 %1: %2 · 成功 %3、失敗 %4 · 開始 %5</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> · resumes run %1</source>
        <translation> · 実行 %1 を再開</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Latest runs:</source>
        <translation>最近の実行:</translation>
    </message>
    <message>
        <location line="+24"/>
        <location line="+12"/>
        <location line="+7"/>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location line="-19"/>
        <source>A teacher run is going; wait for it to end.</source>
        <translation>教師モデルの実行が進行中です。終わるまでお待ちください。</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>No model to generate with.</source>
        <translation>生成に使うモデルがありません。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Choose at least one prompt.</source>
        <translation>プロンプトを 1 つ以上選んでください。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No item is selected.</source>
        <translation>項目が選択されていません。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Loading the model…</source>
        <translation>モデルを読み込み中…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Cancelling after the current step…</source>
        <translation>現在のステップの後で中止します…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Failed: %1</source>
        <translation>失敗: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Generation failed</source>
        <translation>生成に失敗しました</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Nothing to do: all %1 traces were already generated.</source>
        <translation>何もすることがありません: %1 件のトレースはすべて生成済みです。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1%2 traces stored, %3 failed, %4 skipped (already done) in %5 · %6 traces/min</source>
        <translation>%1%2 件のトレースを保存、失敗 %3 件、スキップ %4 件（完了済み）、所要 %5 · 毎分 %6 トレース</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancelled: </source>
        <translation>中止: </translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Resumed interrupted run %1. </source>
        <translation>中断された実行 %1 を再開しました。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>First failure: %1</source>
        <translation>最初の失敗: %1</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::ItemListModel</name>
    <message>
        <location filename="../../ui/src/ItemListModel.cpp" line="+67"/>
        <source>(no question)</source>
        <translation>（質問なし）</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Question</source>
        <translation>質問</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Task family</source>
        <translation>タスク種別</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Split</source>
        <translation>分割</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Assets</source>
        <translation>アセット</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::ItemListPanel</name>
    <message>
        <location filename="../../ui/src/ItemListPanel.cpp" line="+26"/>
        <source>All splits</source>
        <translation>すべての分割</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Train</source>
        <translation>学習</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Eval</source>
        <translation>評価</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show items of one split</source>
        <translation>指定した分割の項目を表示</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All task families</source>
        <translation>すべてのタスク種別</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show items of one task family</source>
        <translation>指定したタスク種別の項目を表示</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search question, answer, note…</source>
        <translation>質問・回答・メモを検索…</translation>
    </message>
    <message numerus="yes">
        <location line="+109"/>
        <source>%n item(s)</source>
        <translation>
            <numerusform>%n 項目</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sdrt::ui::ItemViewPanel</name>
    <message>
        <location filename="../../ui/src/ItemViewPanel.cpp" line="+40"/>
        <source>No note for this item.</source>
        <translation>この項目にはメモがありません。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Question:</source>
        <translation>質問:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reference answer:</source>
        <translation>正解:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Details:</source>
        <translation>詳細:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note</source>
        <translation>メモ</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Prompt</source>
        <translation>プロンプト</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sample</source>
        <translation>サンプル</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Answer</source>
        <translation>回答</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Confidence</source>
        <translation>確信度</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Analysis</source>
        <translation>分析</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Teacher traces</source>
        <translation>教師トレース</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Select an item.</source>
        <translation>項目を選択してください。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>(no question)</source>
        <translation>（質問なし）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>(none)</source>
        <translation>（なし）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Item %1 · %2 · %3 · answer type %4</source>
        <translation>項目 %1 · %2 · %3 · 回答形式 %4</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>no task family</source>
        <translation>タスク種別なし</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Cannot read the traces: %1</source>
        <translation>トレースを読めません: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No traces yet: run the prompts on this item from the Generate panel.</source>
        <translation>まだトレースがありません: 生成パネルからこの項目にプロンプトを実行してください。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>agrees with the ensemble</source>
        <translation>アンサンブルと一致</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>differs from the ensemble</source>
        <translation>アンサンブルと不一致</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>failed: %1</source>
        <translation>失敗: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1%</source>
        <translation>%1%</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Model %1 · run %2 · seed %3 · %4 + %5 tokens · %6 ms</source>
        <translation>モデル %1 · 実行 %2 · シード %3 · %4 + %5 トークン · %6 ms</translation>
    </message>
    <message numerus="yes">
        <location line="+6"/>
        <source>%n trace(s), none with a parsed answer.</source>
        <translation>
            <numerusform>トレース %n 件、解析できた回答はありません。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ensemble of %1 votes: majority &quot;%2&quot; (agreement %3%), confidence-weighted &quot;%4&quot;</source>
        <translation>%1 票のアンサンブル: 多数決「%2」（一致率 %3%）、確信度重み付き「%4」</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::MainWindow</name>
    <message>
        <location filename="../../ui/src/MainWindow.cpp" line="+52"/>
        <source>Browse</source>
        <translation>閲覧</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Review</source>
        <translation>レビュー</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Distill</source>
        <translation>蒸留</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Evaluate</source>
        <translation>評価</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Compare</source>
        <translation>比較</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Items</source>
        <translation>項目</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Log</source>
        <translation>ログ</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Cannot read the workspace</source>
        <translation>ワークスペースを読めません</translation>
    </message>
    <message numerus="yes">
        <location line="+29"/>
        <source>Generating teacher traces for %n item(s)…</source>
        <translation>
            <numerusform>%n 件の項目について教師トレースを生成しています…</numerusform>
        </translation>
    </message>
    <message>
        <location line="+22"/>
        <source>distill: %1</source>
        <translation>distill: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>eval: %1</source>
        <translation>eval: %1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&amp;File</source>
        <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;New Workspace…</source>
        <translation>新規ワークスペース(&amp;N)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Open Workspace…</source>
        <translation>ワークスペースを開く(&amp;O)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Import Folder…</source>
        <translation>フォルダーを取り込む(&amp;I)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Import &amp;Manifest…</source>
        <translation>マニフェストを取り込む(&amp;M)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Quit</source>
        <translation>終了(&amp;Q)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;View</source>
        <translation>表示(&amp;V)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Search Items</source>
        <translation>項目を検索(&amp;S)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Reload</source>
        <translation>再読み込み(&amp;R)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Browse Items</source>
        <translation>項目を閲覧(&amp;B)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Re&amp;view Traces</source>
        <translation>トレースをレビュー(&amp;V)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Distill</source>
        <translation>蒸留(&amp;D)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Evaluate</source>
        <translation>評価(&amp;E)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Compare Evaluations</source>
        <translation>評価を比較(&amp;C)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Review</source>
        <translation>レビュー(&amp;R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Switch Reviewer…</source>
        <translation>レビュー担当者を切り替え(&amp;S)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Approval Policy…</source>
        <translation>承認ポリシー(&amp;A)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reject &amp;Reasons…</source>
        <translation>却下理由(&amp;R)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A&amp;greement Between Reviewers…</source>
        <translation>レビュー担当者間の一致度(&amp;G)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Accept Traces &amp;Matching the Reference…</source>
        <translation>正解と一致するトレースを承認(&amp;M)…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>キーボードショートカット(&amp;K)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Export Approved Traces (LLaVA JSONL)…</source>
        <translation>承認済みトレースを書き出し（LLaVA JSONL）(&amp;E)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export Review &amp;History (flat JSONL)…</source>
        <translation>レビュー履歴を書き出し（フラット JSONL）(&amp;H)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Settings</source>
        <translation>設定(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Language</source>
        <translation>言語(&amp;L)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>System default</source>
        <translation>システムの既定</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The language changes the next time SDRT Workbench starts.</source>
        <translation>言語は次に SDRT ワークベンチを起動したときに切り替わります。</translation>
    </message>
    <message>
        <location filename="../../ui/src/MainWindowFiles.cpp" line="+30"/>
        <source>Export</source>
        <translation>書き出し</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Open a workspace first.</source>
        <translation>先にワークスペースを開いてください。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Export Approved Traces</source>
        <translation>承認済みトレースの書き出し</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Export Review History</source>
        <translation>レビュー履歴の書き出し</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>JSON Lines (*.jsonl);;All files (*)</source>
        <translation>JSON Lines (*.jsonl);;すべてのファイル (*)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Replace file?</source>
        <translation>ファイルを置き換えますか?</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 already exists. Replace it?</source>
        <translation>%1 は既にあります。置き換えますか?</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Export failed</source>
        <translation>書き出しに失敗しました</translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>Wrote %n line(s) to %1</source>
        <translation>
            <numerusform>%1 に %n 行を書き出しました</numerusform>
        </translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Cannot open the workspace</source>
        <translation>ワークスペースを開けません</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Cannot create the workspace</source>
        <translation>ワークスペースを作成できません</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+4"/>
        <location line="+5"/>
        <source>Import</source>
        <translation>取り込み</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>Open or create a workspace first.</source>
        <translation>先にワークスペースを開くか作成してください。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>An import is already running.</source>
        <translation>取り込みはすでに実行中です。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Importing %1…</source>
        <translation>%1 を取り込み中…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancel</source>
        <translation>中止</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Importing %1 of %2 (ETA %3 s)
%4</source>
        <translation>%2 件中 %1 件を取り込み中（残り約 %3 秒）
%4</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Import failed</source>
        <translation>取り込みに失敗しました</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Import finished with problems</source>
        <translation>取り込みは完了しましたが問題があります</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n file(s) or line(s) could not be imported; the rest was imported.</source>
        <translation>
            <numerusform>%n 件のファイルまたは行を取り込めませんでした。残りは取り込みました。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/src/MainWindow.cpp" line="+57"/>
        <source>Runs are going</source>
        <translation>実行が続いています</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A distillation run and an evaluation are going.</source>
        <translation>蒸留の実行と評価が続いています。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A distillation run is going.</source>
        <translation>蒸留の実行が続いています。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>An evaluation is going.</source>
        <translation>評価が続いています。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>They run in processes of their own: they can go on after the window closes (their results land in the workspace), or stop cleanly now and be resumed later.</source>
        <translation>これらは別のプロセスで動いています: ウィンドウを閉じた後も続けられます（結果はワークスペースに入ります）。または今きれいに止めて、後で再開できます。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Leave Running</source>
        <translation>実行したままにする(&amp;L)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Stop Them</source>
        <translation>止める(&amp;S)</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Stopping the runs; the window closes when they have stopped.</source>
        <translation>実行を停止しています。停止するとウィンドウが閉じます。</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>SDRT Workbench</source>
        <translation>SDRT ワークベンチ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No workspace open. Use File ▸ New Workspace or File ▸ Open Workspace.</source>
        <translation>ワークスペースが開かれていません。ファイル ▸ 新規ワークスペース、またはファイル ▸ ワークスペースを開く を使ってください。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 — SDRT Workbench</source>
        <translation>%1 — SDRT ワークベンチ</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>Workspace %1 · %n matching item(s)</source>
        <translation>
            <numerusform>ワークスペース %1 · 該当 %n 項目</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/src/MainWindowFiles.cpp" line="+10"/>
        <source>Open Workspace</source>
        <translation>ワークスペースを開く</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>New Workspace (choose an empty folder)</source>
        <translation>新規ワークスペース（空のフォルダーを選択）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Import Folder</source>
        <translation>フォルダーを取り込む</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Import Manifest</source>
        <translation>マニフェストを取り込む</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>JSON Lines manifests (*.jsonl);;All files (*)</source>
        <translation>JSON Lines マニフェスト (*.jsonl);;すべてのファイル (*)</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::ReasonTagsDialog</name>
    <message>
        <location filename="../../ui/src/ReasonTagsDialog.cpp" line="+14"/>
        <source>Reject reasons</source>
        <translation>却下理由</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>One reason per line (the first nine get keys 1–9):</source>
        <translation>1 行に 1 つの理由（最初の 9 件に 1〜9 キーが付きます）:</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::RejectDialog</name>
    <message>
        <location filename="../../ui/src/RejectDialog.cpp" line="+36"/>
        <location line="+2"/>
        <source>Reject trace</source>
        <translation>トレースを却下</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Reasons (press 1–9 to toggle):</source>
        <translation>理由（1〜9 キーで切り替え）:</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Answer: %1</source>
        <translation>回答: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>(not marked)</source>
        <translation>（指定なし）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The first sentence of the analysis (or the answer) that is wrong</source>
        <translation>分析（または回答）の中で最初に誤っている文</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>First wrong step:</source>
        <translation>最初に誤ったステップ:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Optional comment</source>
        <translation>任意のコメント</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Comment:</source>
        <translation>コメント:</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Reject</source>
        <translation>却下</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::ReviewController</name>
    <message>
        <location filename="../../ui/src/ReviewController.cpp" line="+51"/>
        <location line="+6"/>
        <source>Cannot read the reviews</source>
        <translation>レビューを読めません</translation>
    </message>
    <message>
        <location line="+133"/>
        <source>Cannot read the evaluations of item %1</source>
        <translation>項目 %1 の評価を読み込めません</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Cannot read item %1</source>
        <translation>項目 %1 を読めません</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Cannot read the traces of item %1</source>
        <translation>項目 %1 のトレースを読めません</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>This is the last item in the queue.</source>
        <translation>キューの最後の項目です。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>This is the first item in the queue.</source>
        <translation>キューの最初の項目です。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Every item in the queue is reviewed.</source>
        <translation>キューのすべての項目をレビューしました。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Cannot save the review</source>
        <translation>レビューを保存できません</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Nothing to redo.</source>
        <translation>やり直す操作はありません。</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Nothing to undo.</source>
        <translation>元に戻す操作はありません。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Redone: %1</source>
        <translation>やり直しました: %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Undone: %1</source>
        <translation>元に戻しました: %1</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>No unreviewed trace in the queue matches its reference answer.</source>
        <translation>キューに正解と一致する未レビューのトレースはありません。</translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>Accepted %n trace(s) matching the reference.</source>
        <translation>
            <numerusform>正解と一致する %n 件のトレースを承認しました。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Approval policy</source>
        <translation>承認ポリシー</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Reject reasons</source>
        <translation>却下理由</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::ReviewPanel</name>
    <message>
        <location filename="../../ui/src/ReviewPanel.cpp" line="+49"/>
        <source>Review</source>
        <translation>レビュー</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Next trace</source>
        <translation>次のトレース</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Previous trace</source>
        <translation>前のトレース</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Next item</source>
        <translation>次の項目</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Previous item</source>
        <translation>前の項目</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Show the item&apos;s photo and drawing side by side, each with its own zoom and pan</source>
        <translation>項目の写真と図面を左右に並べて表示（それぞれ別に拡大・移動）</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Switch…</source>
        <translation>切り替え…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>All items</source>
        <translation>すべての項目</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unreviewed</source>
        <translation>未レビュー</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Partly reviewed</source>
        <translation>一部レビュー済み</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Done</source>
        <translation>完了</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Conflicts between reviewers</source>
        <translation>レビュー担当者間の不一致</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Any agreement</source>
        <translation>一致度を問わない</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Prompts agree</source>
        <translation>プロンプトの回答が一致</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Prompts disagree</source>
        <translation>プロンプトの回答が不一致</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Items marked for review elsewhere (sdrt eval enqueue: an evaluation&apos;s wrong answers or regressions)</source>
        <translation>他の場所でレビュー対象に印付けされた項目（sdrt eval enqueue: 評価の誤答や後退）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%v of %m traces reviewed</source>
        <translation>%m 件中 %v 件のトレースをレビュー済み</translation>
    </message>
    <message>
        <location line="-46"/>
        <source>Photo | Drawing</source>
        <translation>写真 | 図面</translation>
    </message>
    <message>
        <location line="+96"/>
        <source>No note for this item.</source>
        <translation>この項目にメモはありません。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Question:</source>
        <translation>質問:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reference:</source>
        <translation>正解:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Item:</source>
        <translation>項目:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note:</source>
        <translation>メモ:</translation>
    </message>
    <message>
        <location filename="../../ui/src/ReviewPanelDialogs.cpp" line="+46"/>
        <source>&quot;%1&quot; is the name of a simulated reviewer (verdicts made by a rule). Your verdicts need your own name.</source>
        <translation>&quot;%1&quot; は模擬レビュー担当者 (規則による判定) の名前です。あなたの判定にはご自身の名前が必要です。</translation>
    </message>
    <message numerus="yes">
        <location line="+64"/>
        <source>Accept %n trace(s) in the queue whose answer matches the reference? %1 undoes it.</source>
        <translation>
            <numerusform>キュー内で回答が正解と一致する %n 件のトレースを承認しますか？ %1 で元に戻せます。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/src/ReviewPanel.cpp" line="+88"/>
        <source>From anywhere</source>
        <translation>すべての出所</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>From %1</source>
        <translation>出所: %1</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Reviewer: (not set)</source>
        <translation>レビュー担当者: （未設定）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reviewer: %1</source>
        <translation>レビュー担当者: %1</translation>
    </message>
    <message>
        <location filename="../../ui/src/ReviewPanelDialogs.cpp" line="-68"/>
        <location line="+3"/>
        <source>Reviewer</source>
        <translation>レビュー担当者</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>Your name (stored with each verdict):</source>
        <translation>お名前（各判定に記録されます）:</translation>
    </message>
    <message>
        <location filename="../../ui/src/ReviewPanel.cpp" line="-22"/>
        <source>All prompts</source>
        <translation>すべてのプロンプト</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All task families</source>
        <translation>すべてのタスク種別</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>hidden — press %1 to show</source>
        <translation>非表示 — %1 キーで表示</translation>
    </message>
    <message numerus="yes">
        <location line="+39"/>
        <source>%n approved</source>
        <translation>
            <numerusform>承認済み %n 件</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Approval policy: %1</source>
        <translation>承認ポリシー: %1</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n item(s) in the queue</source>
        <translation>
            <numerusform>キューに %n 項目</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Item %1 of %2</source>
        <translation>%2 件中 %1 件目</translation>
    </message>
    <message>
        <location line="-79"/>
        <source>No items in the queue.</source>
        <translation>キューに項目がありません。</translation>
    </message>
    <message>
        <location line="-111"/>
        <source>What each evaluation answered for this item; whether it was right shows with the reference (%1)</source>
        <translation>各評価がこの項目に出した回答。正誤は正解の表示（%1）とともに表示されます</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Evaluations:</source>
        <translation>評価:</translation>
    </message>
    <message>
        <location line="+110"/>
        <source>No workspace open.</source>
        <translation>ワークスペースが開かれていません。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no family</source>
        <translation>種別なし</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>(none)</source>
        <translation>（なし）</translation>
    </message>
    <message>
        <location line="-282"/>
        <source>Photo and drawing side by side, or in tabs (remembered)</source>
        <translation>写真と図面を左右に並べる / タブで切り替える（設定を記憶）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Undo your last action (each reviewer has their own history)</source>
        <translation>自分の直前の操作を元に戻す（レビュアーごとの履歴）</translation>
    </message>
    <message>
        <location filename="../../ui/src/ReviewPanelDialogs.cpp" line="+67"/>
        <source>Accept matching traces</source>
        <translation>一致するトレースを承認</translation>
    </message>
    <message>
        <location filename="../../ui/src/ReviewPanel.cpp" line="+195"/>
        <source>Side by side needs a photo and a drawing; this item shows one kind only.</source>
        <translation>左右表示には写真と図面が必要です。この項目は片方だけです。</translation>
    </message>
    <message>
        <location line="-226"/>
        <source>Accept the focused trace</source>
        <translation>選択中のトレースを承認</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Reject the focused trace (reasons 1–9, first wrong step, comment; Enter)</source>
        <translation>選択中のトレースを却下（理由 1〜9、最初に誤ったステップ、コメント; Enter）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Skip the focused trace</source>
        <translation>選択中のトレースを保留</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Next item with unreviewed traces</source>
        <translation>未レビューのトレースがある次の項目</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Show or hide the reference answer</source>
        <translation>正解の表示 / 非表示</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Redo</source>
        <translation>やり直す</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Accept every unreviewed trace in the queue that matches its reference</source>
        <translation>キュー内で正解と一致する未レビューのトレースをすべて承認</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This list</source>
        <translation>この一覧</translation>
    </message>
    <message>
        <location filename="../../ui/src/ReviewPanelEvaluations.cpp" line="+26"/>
        <source>&amp;Generate Traces for Them</source>
        <translation>これらのトレースを生成(&amp;G)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Run the Generate panel&apos;s teacher and prompts on exactly these items; their traces then join the queue</source>
        <translation>生成パネルの教師モデルとプロンプトをこれらの項目だけに実行します。生成されたトレースはキューに加わります</translation>
    </message>
    <message numerus="yes">
        <location line="+17"/>
        <source>%n item(s) sent to review from “%1” have no teacher traces yet, so the queue cannot show them. Generate traces for them, then review and approve the corrected ones for the next run.</source>
        <translation>
            <numerusform>「%1」からレビューに送られた %n 件の項目にはまだ教師トレースがないため、キューに表示できません。トレースを生成し、正しいものをレビューして承認すると、次の実行で使われます。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+22"/>
        <source>✗ failed</source>
        <translation>✗ 失敗</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>✓ right</source>
        <translation>✓ 正解</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>✗ wrong</source>
        <translation>✗ 不正解</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&lt;b&gt;%1&lt;/b&gt; (%2, %3): %4 %5</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;（%2、%3）: %4 %5</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&lt;i&gt;Right or wrong shows with the reference (%1).&lt;/i&gt;</source>
        <translation>&lt;i&gt;正誤は正解を表示すると示されます（%1）。&lt;/i&gt;</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::ShortcutSheet</name>
    <message>
        <location filename="../../ui/src/ShortcutSheet.cpp" line="+33"/>
        <source>Review shortcuts</source>
        <translation>レビューのショートカット</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Key</source>
        <translation>キー</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>In the image (click it first; each side of a split view on its own):</source>
        <translation>画像上（先に画像をクリック。左右表示ではそれぞれ別）:</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::TraceColumn</name>
    <message>
        <location filename="../../ui/src/TraceColumn.cpp" line="+75"/>
        <source>Step 1 — analysis</source>
        <translation>ステップ 1 — 分析</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>%1 v%2 · sample %3</source>
        <translation>%1 v%2 · サンプル %3</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Answer: %1
Parsed: %2</source>
        <translation>回答: %1
解析結果: %2</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>(none)</source>
        <translation>（なし）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>agrees with the prompt ensemble</source>
        <translation>プロンプトのアンサンブルと一致</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>differs from the prompt ensemble</source>
        <translation>プロンプトのアンサンブルと不一致</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>– no reference answer</source>
        <translation>– 正解なし</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>· reference hidden (%1)</source>
        <translation>· 正解は非表示 (%1)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>matches the reference</source>
        <translation>正解と一致</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>differs from the reference</source>
        <translation>正解と不一致</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Confidence %1%</source>
        <translation>確信度 %1%</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Your verdict: ACCEPTED</source>
        <translation>あなたの判定: 承認</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your verdict: REJECTED</source>
        <translation>あなたの判定: 却下</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>First wrong step: “%1”</source>
        <translation>最初の誤りのステップ：「%1」</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Comment: %1</source>
        <translation>コメント：%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your verdict: skipped</source>
        <translation>あなたの判定: 保留</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your verdict: none yet</source>
        <translation>あなたの判定: 未判定</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>accept</source>
        <translation>承認</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>reject</source>
        <translation>却下</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>skip</source>
        <translation>保留</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Approved</source>
        <translation>承認済み</translation>
    </message>
</context>
<context>
    <name>sdrt::ui::WorkspaceSession</name>
    <message>
        <location filename="../../ui/src/WorkspaceSession.cpp" line="+64"/>
        <source>No workspace is open.</source>
        <translation>ワークスペースが開かれていません。</translation>
    </message>
</context>
</TS>
