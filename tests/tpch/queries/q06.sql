SELECT
    sum(l_extendedprice * l_discount) AS revenue
FROM lineitem
WHERE l_shipdate >= date '1994-01-01'
    AND l_shipdate < date '1994-01-01' + interval '1' year
    -- DECIMAL '..': Athena reads a bare 0.06 as a double, and 0.06 + 0.01 as a double is below 0.07
    AND l_discount BETWEEN DECIMAL '0.06' - DECIMAL '0.01' AND DECIMAL '0.06' + DECIMAL '0.01'
    AND l_quantity < 24
