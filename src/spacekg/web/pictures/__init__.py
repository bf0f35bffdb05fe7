"""Pictures rendered on the server as SVG: inline in the pages, so they need no JavaScript and nothing from another origin.

Each module draws one kind of picture from rows the pages already query; `svg` holds what they share (elements with
every text and attribute escaped, linear scales and ticks). A picture's marks are links to the pages of what they
show, each with a <title> (the tooltip), and the SVG has a title and a description for assistive technology; the
page around it keeps a text or table alternative and "this picture as data" (its query as SPARQL JSON and CSV).
Colours come from classes styled in static/spacekg.css (light and dark), not from the SVG.
"""
