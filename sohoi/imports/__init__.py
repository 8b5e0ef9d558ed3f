"""Member import, the parsing layer: a spreadsheet file in, typed and validated rows out.

No models and no database here (issue 3, "Import"): ``readers`` opens .xlsx/.xls/.ods/.csv
as streams of rows, ``headers`` finds the header row and maps columns by their Vietnamese
headings, ``legacy`` converts TCVN3/VNI text, ``values`` parses single cells and ``rows``
puts it together into ``ParsedRow`` objects with per-cell errors and warnings. The members
app matches and writes them.
"""
