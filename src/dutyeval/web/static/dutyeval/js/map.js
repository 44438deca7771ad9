/* 评价地图: regions coloured by the chosen metric (data from json_script "map-data"); a click on a
   city opens that city, a click on a county shows its trend. Boundaries: geo/*.json, built at set-up. */
(function () {
  'use strict';
  var source = document.getElementById('map-data');
  if (!window.echarts || !source) return;
  var d = JSON.parse(source.textContent);
  var gradeColors = ['#2e9e55', '#1d4f91', '#e29a1a', '#b42318', '#7a5af8'];

  function go(params) {
    var url = new URL(window.location.href);
    Object.keys(params).forEach(function (k) { url.searchParams.set(k, params[k]); });
    url.searchParams.delete('page');
    window.location.href = url.toString();
  }

  function numeric(v) { return v === null || v === undefined ? null : Number(v); }

  function visual(data) {
    if (d.categorical) {
      return {type: 'piecewise', left: 10, bottom: 10,
              pieces: d.grades.map(function (g, i) { return {value: i, label: g, color: gradeColors[i % gradeColors.length]}; })};
    }
    var vals = data.map(function (x) { return x.value; }).filter(function (v) { return v !== null && !isNaN(v); });
    var lo = vals.length ? Math.min.apply(null, vals) : 0, hi = vals.length ? Math.max.apply(null, vals) : 1;
    return {type: 'continuous', min: lo, max: hi === lo ? lo + 1 : hi, calculable: true, left: 10, bottom: 10,
            text: ['高', '低'], inRange: {color: ['#e8f0fb', '#7fa7d9', '#1d4f91']}};
  }

  var el = document.getElementById('map');
  if (el && d.geo) {
    fetch(d.geo, {credentials: 'same-origin'}).then(function (r) { return r.json(); }).then(function (geo) {
      echarts.registerMap('dutyeval-region', geo);
      var data = d.data.map(function (x) {
        var v = d.categorical ? d.grades.indexOf(x.value) : numeric(x.value);
        var item = {name: x.name, title: x.label, raw: x.value, value: (v === null || v < 0) ? NaN : v};
        if (x.name === d.selected) {  // the chosen county keeps its colour and gets a red outline
          item.itemStyle = {borderColor: '#b42318', borderWidth: 2.5};
          item.label = {show: true, fontWeight: 'bold'};
        }
        return item;
      });
      var chart = echarts.init(el);
      chart.setOption({
        tooltip: {trigger: 'item', formatter: function (p) {
          var x = p.data || {};
          var shown = x.raw === null || x.raw === undefined ? '未完成/无数据' : x.raw + (d.unit ? ' ' + d.unit : '');
          return (x.title || p.name) + '<br>' + d.label + '：' + shown;
        }},
        visualMap: visual(data),
        series: [{type: 'map', map: 'dutyeval-region', nameProperty: 'code', roam: true, data: data, selectedMode: false,
                  itemStyle: {areaColor: '#e4e7ec', borderColor: '#fff'},
                  emphasis: {label: {show: true, formatter: function (p) { return (p.data && p.data.title) || p.name; }}},
                  label: {show: d.drill === 'city', fontSize: 11, formatter: function (p) { return (p.data && p.data.title) || ''; }}}]
      });
      chart.on('click', function (p) {
        if (!p.name) return;
        if (d.drill === 'city') go({at: p.name, by: 'county'});
        else go({region: p.name});
      });
      window.addEventListener('resize', function () { chart.resize(); });
    });
  }

  var trendEl = document.getElementById('trend');
  if (trendEl && d.trend.length) {
    echarts.init(trendEl).setOption({
      tooltip: {trigger: 'axis'}, legend: {top: 0}, grid: {left: 50, right: 10, top: 30, bottom: 30},
      xAxis: {type: 'category', data: d.trend.map(function (p) { return String(p.year); })},
      yAxis: {type: 'value', scale: true, name: d.unit},
      series: [{name: '本地区', type: 'line', data: d.trend.map(function (p) { return numeric(p.value); }), itemStyle: {color: '#1d4f91'}},
               {name: '平均', type: 'line', lineStyle: {type: 'dashed'}, data: d.trend.map(function (p) { return numeric(p.mean); }), itemStyle: {color: '#98a2b3'}}]
    });
  }
})();
