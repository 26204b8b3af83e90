"""The guide's Redshift SQL ("DDL e Data Loading"), as written, for the engine's unit tests."""

#: The guide's sales table, with its trailing semicolon.
GUIDE_SALES_DDL = """CREATE TABLE sales (
    sale_id BIGINT IDENTITY(1,1),
    order_date DATE NOT NULL,
    customer_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    quantity INT,
    amount DECIMAL(10,2),
    PRIMARY KEY (sale_id)
)
DISTKEY (customer_id)
SORTKEY (order_date);"""
