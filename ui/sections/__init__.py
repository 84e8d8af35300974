"""Parts of the larger pages, one module per tab or part: `ui/sections/<page>/<part>.py`.

A page file stays thin (filters, the page's shared numbers, tabs) and hands each tab to the
`render(...)` of its section module; widget keys are the page's own, so AppTests find them.
"""
