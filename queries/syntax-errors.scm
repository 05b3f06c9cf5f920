; Where tree-sitter had to recover from a syntax error.
(ERROR) @diagnostic.error
