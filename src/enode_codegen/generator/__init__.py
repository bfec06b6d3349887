"""enode-codegen: validate Enode OpenAPI specs and generate typed clients from them."""
