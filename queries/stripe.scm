; Stripe usage in a file that mentions stripe. Capture names follow tree-sitter's tags convention.

; Every call: `stripe.checkout.Session.create(...)`, `client.v1.customers.list(...)`, `StripeClient(...)`.
(call
  function: [(attribute) (identifier)] @name.reference.call
  arguments: (argument_list) @arguments) @reference.call

; Function definitions, to find the handler enclosing a webhook's construct_event.
(function_definition
  name: (identifier) @name.definition.function) @definition.function

; Event types compared against: `event["type"] == "x"`, `event.type in ("x", "y")`, match/case, dispatch dicts.
(comparison_operator (string) @reference.event)
(comparison_operator [(tuple) (list) (set)] @reference.event_collection)
(case_pattern (string) @reference.event)
(case_pattern (union_pattern (string) @reference.event))
(pair key: (string) @reference.event)
