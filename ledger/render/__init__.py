"""Renderers: the CSV contract, the Excel workbook and the HTML summary."""
