"""What the tests share: waiting for what the product does in the background (`eventually`)."""
