-- expect: syntax error: caret under the right character after multi-byte text
SELECT 'héllo wörld' FORM trades;
